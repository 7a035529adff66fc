"""Forms of the youth pages. They check and convert input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation
from oila.common.dates import today
from oila.common.forms import DateInput
from oila.youth.models import Placement, YouthTraining, wage_validator


def _organisations(kind: str) -> Any:
    return Organisation.objects.filter(type=kind).order_by("name")


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of training"), choices=YouthTraining.Kind.choices)
    provider = forms.ModelChoiceField(
        label=_("Training provider"),
        queryset=_organisations(Organisation.Type.TRAINING),
        help_text=_("Training centres are added by an administrator."),
    )
    course = forms.CharField(label=_("Course"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": today()})
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = _organisations(Organisation.Type.TRAINING)


class CompletionForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=60, required=False
    )
    certificate_issued_on = forms.DateField(
        label=_("Certificate issued on"),
        widget=DateInput(),
        required=False,
        help_text=_("Left empty with a number: the completion date."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"completed_on": today()})
        super().__init__(*args, **kwargs)


class PlacementForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of work"), choices=Placement.Kind.choices, widget=forms.RadioSelect
    )
    employer = forms.ModelChoiceField(
        label=_("Employer"),
        queryset=_organisations(Organisation.Type.EMPLOYER),
        required=False,
        help_text=_("Empty for self-employment. Employers are added by an administrator."),
    )
    position = forms.CharField(
        label=_("Position or activity"),
        max_length=200,
        help_text=_("The job title, or the business of a self-employed young person."),
    )
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput())
    contract_type = forms.ChoiceField(
        label=_("Contract type"),
        choices=[("", "—"), *Placement.Contract.choices],
        required=False,
        help_text=_("Not used for self-employment."),
    )
    monthly_wage_uzs = forms.IntegerField(
        label=_("Monthly wage (UZS)"),
        required=False,
        validators=[wage_validator],
        help_text=_("Net monthly pay, or the monthly income of self-employment."),
    )
    training = forms.ModelChoiceField(
        label=_("After the training"), queryset=YouthTraining.objects.none(), required=False
    )

    def __init__(self, *args: Any, trainings: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": today(), "kind": Placement.Kind.EMPLOYMENT})
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = _organisations(Organisation.Type.EMPLOYER)
        if trainings is not None:
            self.fields["training"].queryset = trainings
            self.fields["training"].label_from_instance = lambda t: (
                f"{t.course} ({t.starts_on:%Y-%m-%d})"
            )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PlacementEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"ended_on": today()})
        super().__init__(*args, **kwargs)


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=_("Date of the follow-up"), widget=DateInput())
    still_working = forms.TypedChoiceField(
        label=_("Is the young person still working?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    monthly_wage_uzs = forms.IntegerField(
        label=_("Current monthly wage (UZS)"), required=False, validators=[wage_validator]
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"done_on": today()})
        super().__init__(*args, **kwargs)
