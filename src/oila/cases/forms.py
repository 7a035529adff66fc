"""Forms of the case pages. They check and convert input; saving is always a service's job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation
from oila.cases import selectors
from oila.cases.models import Case, GatekeepingDecision, Visit
from oila.common.dates import today
from oila.common.forms import DateInput
from oila.registry.models import FORMAL_CARE, CareArrangement, Household, Person


def _not_in_future(value: Any) -> None:
    if value is not None and value > today():
        raise ValidationError(_("This date cannot be in the future."))


def _blank(label: Any, choices: Any) -> list[tuple[Any, Any]]:
    return [("", label), *choices]


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), validators=[_not_in_future], **kwargs)


def _text(label: Any, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), max_length=10_000, **kwargs
    )


class DueListForm(forms.Form):
    """Which deadlines the full "what is due" list shows: one kind, one list."""

    kind = forms.ChoiceField(
        label=_("Kind of deadline"),
        choices=[
            ("assessment", _("Initial assessment")),
            ("plan", _("Case plan")),
            ("visit", _("Visit")),
            ("reassessment", _("CSI reassessment")),
            ("placement_review", _("Placement review")),
        ],
        initial="visit",
        help_text=_("What the deadline is for."),
    )
    list = forms.ChoiceField(
        label=_("When"),
        choices=[
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("week", _("Due this week")),
        ],
        initial="overdue",
        help_text=_("Overdue, due today, or due in the next six days."),
    )

    def choice(self) -> tuple[str, str]:
        """(kind, list) asked for; the defaults when nothing (or something unknown) was asked."""
        if self.is_valid():
            return self.cleaned_data["kind"], self.cleaned_data["list"]
        return str(self.fields["kind"].initial), str(self.fields["list"].initial)


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Number or name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("Open"), Case.Status.choices)
    )
    risk = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=_blank(_("All"), Case.Risk.choices)
    )
    step = forms.TypedChoiceField(
        label=_("Step"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_blank(_("All"), Case.Step.choices),
    )
    overdue = forms.BooleanField(label=_("Only with overdue deadlines"), required=False)

    def filters(self) -> selectors.CaseFilters:
        """The filters that were valid (an invalid one is shown as an error and ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.CaseFilters(
            q=data.get("q") or "",
            status=data.get("status") or "",
            open_only=not data.get("status"),
            risk=data.get("risk") or "",
            step=data.get("step"),
            overdue=bool(data.get("overdue")),
        )


class CaseOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of case"),
        choices=Case.Kind.choices,
        widget=forms.RadioSelect,
        initial=Case.Kind.FAMILY,
    )
    subject = forms.ModelChoiceField(
        label=_("Child"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("For a child-protection case: the child it is about."),
    )
    risk = forms.ChoiceField(label=_("Risk level"), choices=Case.Risk.choices)
    identified_on = _date(
        _("Identified on"),
        help_text=_("When the family or child came to the programme's attention."),
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"identified_on": today()})
        super().__init__(*args, **kwargs)
        subject = self.fields["subject"]
        assert isinstance(subject, forms.ModelChoiceField)
        subject.queryset = Person.objects.filter(
            memberships__household=household, memberships__ended_on__isnull=True
        ).order_by("given_name")

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        identified_on = data["identified_on"]
        # Today's identification keeps the time of day (the 24-hour clock of a high-risk case).
        identified_at = (
            timezone.now()
            if identified_on == today()
            else timezone.make_aware(dt.datetime.combine(identified_on, dt.time.min))
        )
        return {
            "kind": data["kind"],
            "subject": data["subject"] if data["kind"] == Case.Kind.CHILD else None,
            "risk": data["risk"],
            "identified_at": identified_at,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Case.Kind.CHILD and not data.get("subject"):
            self.add_error("subject", _("Choose the child the case is about."))
        return data


class VisitForm(forms.Form):
    """Few fields, today's date by default: quick to fill in on a phone after a visit."""

    on = _date(_("Date"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Visit.Kind.choices, widget=forms.RadioSelect, initial="home"
    )
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=300,
        help_text=_("Who took part, e.g. mother, Shahnoza, class teacher."),
    )
    narrative = _text(_("What happened"), rows=5)
    next_steps = _text(_("Next steps"), rows=2, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": today(), "kind": Visit.Kind.HOME})
        super().__init__(*args, **kwargs)


class RiskForm(forms.Form):
    risk = forms.ChoiceField(label=_("Risk level"), choices=Case.Risk.choices)
    reason = _text(_("Reason"), rows=2)


class ReasonForm(forms.Form):
    reason = _text(_("Reason"), rows=3)


class ReassignForm(forms.Form):
    caseworker = forms.ModelChoiceField(label=_("New caseworker"), queryset=None)
    reason = _text(_("Reason"), rows=2)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["caseworker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.caseworker_choices(programme_id=case.programme_id).exclude(
            pk=case.caseworker_id
        )
        field.label_from_instance = lambda u: f"{u.display_name} ({u.team})"


class TransferForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Transfer to"), queryset=None)
    reason = _text(_("Reason"), rows=2)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.exclude(pk=case.programme.organisation_id).order_by(
            "name"
        )


class ClosureDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Approve the closure")), ("no", _("Send it back"))],
        widget=forms.RadioSelect,
    )
    comment = _text(_("Comment"), rows=2, required=False)


def _child_field(case: Case) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Child"), queryset=selectors.case_children(case=case), empty_label=None
    )


FORMAL_CHOICES = [(k, v) for k, v in CareArrangement.Type.choices if k in FORMAL_CARE]


class GatekeepingForm(forms.Form):
    child = forms.ModelChoiceField(label=_("Child"), queryset=None, empty_label=None)
    proposed_care = forms.ChoiceField(label=_("Formal care considered"), choices=FORMAL_CHOICES)
    necessity = _text(_("Necessity"), help_text=_("Is formal care needed at all? Why, or why not?"))
    alternatives_considered = forms.MultipleChoiceField(
        label=_("Alternatives considered"),
        required=False,
        choices=CareArrangement.Type.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    alternatives_note = _text(_("Notes on the alternatives"), rows=2, required=False)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=GatekeepingDecision.Decision.choices, widget=forms.RadioSelect
    )
    suitability = _text(
        _("Suitability"),
        rows=2,
        required=False,
        help_text=_("When a placement is made: why it suits this child."),
    )
    placement_place = forms.CharField(
        label=_("Institution or place"),
        required=False,
        max_length=200,
        help_text=_("When a placement is made."),
    )
    decided_on = _date(_("Decided on"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"decided_on": today()})
        super().__init__(*args, **kwargs)
        self.fields["child"] = _child_field(case)


class CareChangeForm(forms.Form):
    child = forms.ModelChoiceField(label=_("Child"), queryset=None, empty_label=None)
    care_type = forms.ChoiceField(label=_("Now in"), choices=CareArrangement.Type.choices)
    started_on = _date(_("From"))
    place = forms.CharField(label=_("Institution or place"), required=False, max_length=200)
    notes = _text(_("Notes"), rows=2, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"started_on": today()})
        super().__init__(*args, **kwargs)
        self.fields["child"] = _child_field(case)


class PlacementReviewForm(forms.Form):
    reviewed_on = _date(_("Reviewed on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reviewed_on": today()})
        super().__init__(*args, **kwargs)


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    end = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def period(self) -> tuple[Any, Any]:
        """The chosen period; by default the current year up to today."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        end = data.get("end") or today()
        start = data.get("start") or end.replace(month=1, day=1)
        if start > end:
            start, end = end, start
        return start, end
