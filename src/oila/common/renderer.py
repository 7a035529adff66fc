"""The form renderer (settings.FORM_RENDERER): Django's form templates, the commonest written in Python.

Every field of every form goes through Django's `field.html`, `label.html`, the error list and a
widget template, each rendered by the template engine: measured at a million people, a household
list's five filter fields took a quarter of the page's time, most of it in the engine's variable
lookups and includes. `FormRenderer` writes the same bytes for the templates below in plain Python
and leaves every other template (and any template an app overrides) to the engine.
`tests/common/test_renderer.py` renders a wide set of fields and the project's forms both ways and
requires the same HTML, so a Django upgrade that changes one of these templates fails there first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _out(value: Any) -> str:
    """`{{ value }}` with autoescaping, as the engine writes it (render_value_in_context)."""
    value = localize(value)
    if not isinstance(value, str):
        value = str(value)
    return str(conditional_escape(value))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the filter is marked is_safe, so safe input stays unescaped."""
    text = "%s" % (value,)  # noqa: UP031 (the filter's own formatting)
    return text if isinstance(value, SafeData) else str(escape(text))


def _attrs(attrs: Mapping[str, Any] | None) -> str:
    """`attrs.html` (forms' and widgets' alike): True as the bare name, False left out."""
    if not attrs:
        return ""
    return "".join(
        f" {_out(name)}" if value is True else f' {_out(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _field(context: Mapping[str, Any]) -> str:
    # django/forms/field.html, line for line (the renderer strips the result).
    field = context["field"]
    if field.use_fieldset:
        describedby = field.aria_describedby
        opening = f' aria-describedby="{_out(describedby)}"' if describedby else ""
        head = f"\n  <fieldset{opening}>\n  {_out(field.legend_tag()) if field.label else ''}\n"
        tail = "</fieldset>"
    else:
        head, tail = f"\n  {_out(field.label_tag()) if field.label else ''}\n", ""
    helptext = ""
    if field.help_text:
        auto_id = field.auto_id
        ident = f' id="{_out(auto_id)}_helptext"' if auto_id else ""
        helptext = f'<div class="helptext"{ident}>{field.help_text}</div>'
    return f"{head}\n{helptext}\n{_out(field.errors)}\n{_out(field)}{tail}\n"


def _label(context: Mapping[str, Any]) -> str:
    label = _out(context["label"])
    if not context["use_tag"]:
        return label
    tag = _out(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _errors(context: Mapping[str, Any]) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    ident = f' id="{_out(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_out(error)}</li>" for error in errors)
    return f'<ul class="{_out(context["error_class"])}"{ident}>{items}</ul>'


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = _out(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(context: Mapping[str, Any]) -> str | None:
    widget = context["widget"]
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION_TEMPLATE:
                return None  # a widget with its own option template: the engine renders it
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_out(option['label'])}</option>\n"  # the option template's own line end
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_INPUTS = ["checkbox", "color", "date", "datetime", "email", "file", "hidden", "number"]
_INPUTS += ["password", "search", "tel", "text", "time", "url"]

WRITTEN: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "django/forms/field.html": _field,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
}
"""The templates written in Python (each of the input widgets' templates is only an include of
`input.html`)."""


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with the templates in WRITTEN written in Python."""

    def render(self, template_name: str, context: Any, request: Any = None) -> str:
        # Like Django's renderers, the HTML as a plain string: Django's callers (fields, widgets,
        # error lists) mark it safe, as they do the engine's.
        write = WRITTEN.get(template_name) if request is None else None
        if write is not None:
            html = write(context)
            if html is not None:
                return html.strip()
        return str(super().render(template_name, context, request))
