"""Forms of the data-protection pages: breaking the glass, and the audit search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oila.common.forms import DateInput
from oila.privacy.services import REASON_MIN_LENGTH
from oila.registry.models import BreakGlassGrant


class BreakGlassForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Record"),
        choices=BreakGlassGrant.Kind.choices,
        help_text=_("What you need to open: a household, a person or a case."),
    )
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=64,
        help_text=_(
            "The case number (e.g. KHR-2026-00042), the person's PINFL or record id, or the "
            "household's record id or external id."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=REASON_MIN_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The emergency that makes you open a record outside your cases. The data protection "
            "officer reads it; access ends automatically after a few hours."
        ),
    )


class AuditSearchForm(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        max_length=200,
        required=False,
        help_text=_("A name (Latin or Cyrillic) or the person's record id."),
    )
    user = forms.CharField(
        label=_("User"),
        max_length=150,
        required=False,
        help_text=_("The username of whoever acted."),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    action = forms.CharField(
        label=_("Action"),
        max_length=80,
        required=False,
        help_text=_("Optional: the start of an action name, e.g. person. or break_glass."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the range is before its start."))
        return cleaned

    def has_filters(self) -> bool:
        return self.is_bound and any(
            self.data.get(k) for k in ("person", "user", "since", "until", "action")
        )
