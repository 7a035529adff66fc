"""Form helpers shared by every app's views: dates the phone's picker understands, service errors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from oila.common.errors import ApplicationError


class DateInput(forms.DateInput):
    """A native date picker (the value must be ISO, whatever the language)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice field's options read with one ordinary query. Django's iterator reads them with
    `QuerySet.iterator()`, which on PostgreSQL is a server-side cursor (DECLARE, FETCH, CLOSE: three
    round trips, never a prepared statement) where a short list of places needs one; measured under
    bench/web.py, a list page's two place selects took 7 % of the web workers' time."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class FastSelect(forms.Select):
    """A select list written in Python: the HTML of Django's Select, without a template include for
    every option (a filter form's four lists took half of a list page's time; a test compares the
    two renderings)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        blocks = []
        for group_name, options, _index in widget["optgroups"]:
            block = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), _attrs(o["attrs"]), o["label"]) for o in options),
            )
            if group_name:
                block = format_html('<optgroup label="{}">{}</optgroup>', group_name, block)
            blocks.append((block,))
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            _attrs(widget["attrs"]),
            format_html_join("", "{}", blocks),
        )


def _attrs(attrs: dict[str, Any]) -> SafeString:
    # Django's attrs.html, in the same order: True as the bare name, False and None left out.
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


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
