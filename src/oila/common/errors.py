"""Errors that services raise and views and the API turn into messages for the user."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the programme was broken; the message is for the user and already translated."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
