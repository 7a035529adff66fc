"""The scoring form: one radio group per item, each score with its guidance. Saving is the service's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oila.assessments.models import Instrument, Item, ScaleLevel
from oila.common.dates import today
from oila.common.forms import DateInput
from oila.registry.models import Person


def item_field_name(item: Item) -> str:
    return f"item_{item.code}"


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    subject = forms.ModelChoiceField(
        label=_("Person assessed"), queryset=Person.objects.none(), required=True
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Stored encrypted."),
    )
    early_reason = forms.CharField(
        label=_("Reason for reassessing early"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when this CSI comes sooner than the reassessment interval (supervisors only)."
        ),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        instrument: Instrument,
        people: Any,
        may_override: bool,
    ) -> None:
        super().__init__(data, initial={"assessed_on": today()})
        self.instrument = instrument
        if instrument.applies_to == Instrument.AppliesTo.HOUSEHOLD:
            del self.fields["subject"]
        else:
            subject = self.fields["subject"]
            assert isinstance(subject, forms.ModelChoiceField)
            subject.queryset = people
            subject.label_from_instance = lambda p: p.full_name  # type: ignore[method-assign]
            only = list(people[:2])
            if len(only) == 1:
                subject.initial = only[0].pk
                subject.empty_label = None
        if not (instrument.is_csi and may_override):
            del self.fields["early_reason"]
        self.items: list[Item] = list(instrument.items.all())
        for item in self.items:
            self.fields[item_field_name(item)] = forms.TypedChoiceField(
                label=f"{item.code} {item.label}",
                choices=[(level.value, str(level.value)) for level in item.levels.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a score.")},
            )

    def clean_assessed_on(self) -> Any:
        value = self.cleaned_data["assessed_on"]
        if value and value > today():
            raise forms.ValidationError(_("The date of the assessment cannot be in the future."))
        return value

    def rows(self) -> list[dict[str, Any]]:
        """Each item with its bound field and, for each score, its radio button and scale level."""
        out = []
        for item in self.items:
            field = self[item_field_name(item)]
            levels: list[ScaleLevel] = list(item.levels.all())
            out.append(
                {"item": item, "field": field, "options": list(zip(field, levels, strict=True))}
            )
        return out

    def scores(self) -> dict[str, int]:
        return {item.code: self.cleaned_data[item_field_name(item)] for item in self.items}

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "subject": data.get("subject"),
            "notes": data.get("notes", ""),
            "early_reason": data.get("early_reason", ""),
            "scores": self.scores(),
        }
