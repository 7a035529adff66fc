"""Forms of the import and export pages. They check input; the services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from oila.transfer.columns import IMPORT_TYPES


def _type_choices() -> list[tuple[str, Any]]:
    return [(t.key, t.label) for t in IMPORT_TYPES.values()]


class ImportForm(forms.Form):
    type = forms.ChoiceField(
        label=_("What the file holds"),
        choices=_type_choices,
        widget=forms.RadioSelect,
        help_text=_("Import households first, then people, then enrolments and service records."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An Excel workbook (.xlsx) or a CSV file, with the template's headers in the first row. "
            "Nothing is imported yet: the file is checked first."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.OILA_IMPORT_MAX_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large: at most %(mb)s MB can be imported at once.")
                % {"mb": round(limit / (1024 * 1024), 1)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class CommitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The people listed as possible duplicates are new people: register them."),
        required=False,
        help_text=_("Leave it unticked and fix the file if any of them is already registered."),
    )


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV (any size, opens in Excel)")), ("xlsx", _("Excel workbook"))],
        widget=forms.RadioSelect,
        help_text=_("CSV suits large lists; an Excel workbook holds at most about a million rows."),
    )
