"""Form helpers shared by every app's views: dates the phone's picker understands, service errors."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from oila.common.errors import ApplicationError


class DateInput(forms.DateInput):
    """A native date picker (the value must be ISO, whatever the language)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def service_errors(
    exc: ValidationError | ApplicationError,
) -> Iterable[tuple[str | None, list[str]]]:
    """(field or None, messages) pairs from what a service raised."""
    if isinstance(exc, ApplicationError):
        return [(exc.field, [str(exc.message)])]
    if hasattr(exc, "error_dict"):
        return [
            (None if field == NON_FIELD_ERRORS else field, messages)
            for field, messages in exc.message_dict.items()
        ]
    return [(None, list(exc.messages))]


def add_service_errors(form: forms.BaseForm, exc: ValidationError | ApplicationError) -> None:
    """Show a service's errors on the form's fields they name (the rest above the form).

    The form must have been validated already (its `errors` exist).
    """
    for field, messages in service_errors(exc):
        form.add_error(field if field in form.fields else None, messages)
