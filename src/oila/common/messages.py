"""Stored messages: an English msgid (marked with gettext_noop where written) plus parameters,
translated when shown, so each reader sees their own language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext


def render_message(message: str, params: Mapping[str, Any] | None = None) -> str:
    """The message in the active language; the English one if a translation lost a placeholder."""
    translated = gettext(message)
    if not params:
        return translated
    try:
        return translated % params
    except (KeyError, TypeError, ValueError):
        return message % params
