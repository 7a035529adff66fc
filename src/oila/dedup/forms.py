"""Forms of the duplicate review pages (they check input; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oila.dedup.models import DuplicateCandidate


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(NoteForm):
    survivor = forms.ChoiceField(
        label=_("Which record stays?"),
        widget=forms.RadioSelect,
        help_text=_(
            "The other becomes a pointer to it: its households, cases, assessments, services, "
            "referrals and consents move over."
        ),
    )

    def __init__(self, *args: Any, candidate: DuplicateCandidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        a, b = candidate.person_a, candidate.person_b
        field = self.fields["survivor"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.pk), f"{p.full_name}, {p.birth_date or '—'}") for p in (a, b)]
        self.candidate = candidate

    def people(self) -> tuple[Any, Any]:
        """(survivor, merged) from the choice."""
        a, b = self.candidate.person_a, self.candidate.person_b
        return (a, b) if self.cleaned_data["survivor"] == str(a.pk) else (b, a)
