"""Forms of the service and referral pages. They check and convert input; the services decide.

Long choice lists (the attendance list, providers) are built only when a form is shown: a posted
value is checked by the service, in one query however many people are ticked, so recording a group
session of thirty costs the same few queries as one of five.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, User
from oila.cases.models import Case
from oila.cases.selectors import case_children
from oila.common.dates import today
from oila.common.forms import DateInput
from oila.plans.models import Action
from oila.registry.models import Person
from oila.support import selectors
from oila.support.models import Referral, ServiceDelivery, ServiceType
from oila.support.visibility import can_override_consent


def _blank(label: Any, choices: Any) -> list[tuple[Any, Any]]:
    return [("", label), *choices]


def _text(label: Any, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), max_length=10_000, **kwargs
    )


class LazyChoices:
    """Choices computed when first iterated (a form that is only validated never builds them)."""

    def __init__(self, build: Callable[[], list[tuple[str, str]]]) -> None:
        self.build = build
        self.cached: list[tuple[str, str]] | None = None

    def __call__(self) -> list[tuple[str, str]]:
        if self.cached is None:
            self.cached = self.build()
        return self.cached


def _is_id(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class IdsField(forms.MultipleChoiceField):
    """Ticked ids: any well-formed id passes here; the service says who may not be on the list."""

    def valid_value(self, value: Any) -> bool:
        return _is_id(value)


class IdField(forms.ChoiceField):
    def valid_value(self, value: Any) -> bool:
        return _is_id(value)


class ServiceTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ActionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        who = obj.responsible_organisation or obj.responsible_user
        return f"{obj.description} ({who}, {obj.due_on:%Y-%m-%d})"


class ProviderField(forms.ChoiceField):
    """ "user:<id>" (a staff member) or "org:<id>" (an agency): the record, or an error."""

    def valid_value(self, value: Any) -> bool:
        kind, _sep, pk = str(value).partition(":")
        return kind in ("user", "org") and _is_id(pk)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        kind, _sep, pk = value.partition(":")
        model = User if kind == "user" else Organisation
        found = model.objects.filter(pk=pk).first()
        if found is None:
            raise ValidationError(_("Choose who provided the service."))
        return found


class DeliveryForm(forms.Form):
    """An individual session (one person) or a group session (an attendance list to tick)."""

    service_type = ServiceTypeField(label=_("Service"), queryset=ServiceType.objects.none())
    delivered_on = forms.DateField(label=_("Date"), widget=DateInput())
    provider = ProviderField(label=_("Provided by"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1, max_value=24 * 60
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("In the service's unit: sessions, hours, items or UZS."),
    )
    cost_uzs = forms.IntegerField(label=_("Cost (UZS)"), required=False, min_value=0)
    plan_action = ActionField(
        label=_("Plan action it fulfils"),
        required=False,
        queryset=Action.objects.none(),
        help_text=_("The action is marked done."),
    )
    notes = _text(_("Notes"), required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        user: User,
        kind: str,
        programme_ids: list[Any],
        case: Case | None = None,
        q: str = "",
        mahalla: Any = None,
    ) -> None:
        super().__init__(data, initial={"delivered_on": today(), "provider": f"user:{user.pk}"})
        self.user, self.kind, self.case = user, kind, case
        group = kind == ServiceDelivery.Kind.GROUP
        self.fields["service_type"].queryset = selectors.service_type_list(  # type: ignore[attr-defined]
            user=user, programme_ids=programme_ids, group_only=group
        )
        self.fields["provider"].choices = LazyChoices(lambda: self._providers(programme_ids))  # type: ignore[attr-defined]
        if case is not None:
            people: LazyChoices = LazyChoices(
                lambda: [(str(p.pk), p.full_name) for p in case_children(case=case)]
            )
            self.fields["plan_action"].queryset = selectors.open_plan_actions(case=case)  # type: ignore[attr-defined]
        else:
            del self.fields["plan_action"]
        if group:
            candidates = LazyChoices(
                lambda: [
                    (str(p.pk), _person_label(p))
                    for p in selectors.attendee_candidates(
                        user=user, programme_ids=programme_ids, q=q, mahalla=mahalla
                    )
                ]
            )
            self.fields["attendees"] = IdsField(
                label=_("Who attended"),
                choices=candidates,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Tick who attended.")},
            )
        else:
            choices = (
                people
                if case is not None
                else LazyChoices(
                    lambda: [
                        (str(p.pk), _person_label(p))
                        for p in selectors.attendee_candidates(
                            user=user, programme_ids=programme_ids, q=q, mahalla=mahalla
                        )
                    ]
                )
            )
            self.fields["attendees"] = IdField(
                label=_("Who received it"), choices=choices, widget=forms.RadioSelect
            )
        self.order_fields(
            ["service_type", "delivered_on", "attendees", "provider", "duration_minutes",
             "quantity", "cost_uzs", "plan_action", "notes"]
        )  # fmt: skip

    def _providers(self, programme_ids: list[Any]) -> list[tuple[str, Any]]:
        people = selectors.programme_staff(programme_ids=programme_ids)
        staff = [(f"user:{u.pk}", u.display_name) for u in people]
        agencies = [
            (f"org:{o.pk}", o.name)
            for o in selectors.agencies_offering(programme_ids=programme_ids)
        ]
        return [(str(_("Staff")), staff), (str(_("Partner agencies")), agencies)]  # type: ignore[list-item]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        provider = data["provider"]
        attendees = data["attendees"]
        return {
            "service_type": data["service_type"],
            "kind": self.kind,
            "delivered_on": data["delivered_on"],
            "attended": attendees if isinstance(attendees, list) else [attendees],
            "case": self.case,
            "provider_user": provider if isinstance(provider, User) else None,
            "provider_organisation": provider if isinstance(provider, Organisation) else None,
            "duration_minutes": data.get("duration_minutes"),
            "quantity": data.get("quantity"),
            "cost_uzs": data.get("cost_uzs"),
            "notes": data.get("notes", ""),
            "plan_action": data.get("plan_action"),
        }


def _person_label(person: Person) -> str:
    born = f" ({person.birth_date:%Y})" if person.birth_date else ""
    return f"{person.family_name} {person.given_name}{born}"


class ReferralForm(forms.Form):
    referred = forms.ChoiceField(label=_("Who is referred"), widget=forms.RadioSelect)
    service_type = ServiceTypeField(label=_("Service"), queryset=ServiceType.objects.none())
    to_organisation = forms.ModelChoiceField(
        label=_("Refer to"),
        queryset=Organisation.objects.none(),
        help_text=_("Only an agency that offers the service can be chosen."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Referral.Urgency.choices,
        initial=Referral.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    reason = _text(_("Reason for the referral"), help_text=_("The agency sees this."))
    from_organisation = forms.ModelChoiceField(
        label=_("Referred by (agency)"),
        required=False,
        queryset=Organisation.objects.none(),
        help_text=_("Leave empty when the programme refers; choose an agency that referred."),
    )
    plan_action = ActionField(
        label=_("Plan action it fulfils"),
        required=False,
        queryset=Action.objects.none(),
        help_text=_(
            "An action the agency is responsible for; completing the referral marks it done."
        ),
    )
    override_reason = _text(
        _("Reason to send it without consent"),
        required=False,
        help_text=_(
            "Only when no consent to share information is recorded and it cannot wait. "
            "The override is written to the audit log."
        ),
    )

    def __init__(self, data: Any = None, *, user: User, case: Case) -> None:
        super().__init__(data)
        self.case = case
        self.people = {str(p.pk): p for p in case_children(case=case)}
        self.fields["referred"].choices = [  # type: ignore[attr-defined]
            ("household", _("The whole household (%(name)s)") % {"name": case.household.name}),
            *[(f"person:{pk}", p.full_name) for pk, p in self.people.items()],
        ]
        self.fields["referred"].initial = (
            f"person:{case.subject_id}" if case.subject_id else "household"
        )
        programmes = [case.programme_id]
        self.fields["service_type"].queryset = selectors.service_type_list(  # type: ignore[attr-defined]
            user=user, programme_ids=programmes
        )
        self.fields["to_organisation"].queryset = selectors.agencies_offering(  # type: ignore[attr-defined]
            programme_ids=programmes
        )
        self.fields["plan_action"].queryset = selectors.open_plan_actions(case=case).filter(  # type: ignore[attr-defined]
            responsible_organisation__isnull=False
        )
        own = case.programme.organisation
        self.fields["from_organisation"].empty_label = own.name  # type: ignore[attr-defined]
        self.fields["from_organisation"].queryset = Organisation.objects.exclude(
            pk=own.pk
        ).order_by("name")  # type: ignore[attr-defined]
        if not can_override_consent(user):
            del self.fields["override_reason"]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _sep, pk = data["referred"].partition(":")
        return {
            "person": self.people.get(pk) if kind == "person" else None,
            "household": self.case.household if kind == "household" else None,
            "service_type": data["service_type"],
            "to_organisation": data["to_organisation"],
            "urgency": data["urgency"],
            "reason": data["reason"],
            "from_organisation": data.get("from_organisation"),
            "plan_action": data.get("plan_action"),
            "override_reason": data.get("override_reason", ""),
        }

    def clean_referred(self) -> str:
        value: str = self.cleaned_data["referred"]
        if value.startswith("person:") and value.partition(":")[2] not in self.people:
            raise ValidationError(_("Choose one of the people this case is about."))
        return value


class DeclineForm(forms.Form):
    reason = _text(_("Why the referral is declined"))


class ReportForm(forms.Form):
    OUTCOMES = [("completed", _("Completed")), ("not_completed", _("Not completed"))]
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect)
    feedback = _text(_("Feedback"), help_text=_("What was done, and what came of it."))

    def service_data(self) -> dict[str, Any]:
        return {
            "completed": self.cleaned_data["outcome"] == "completed",
            "feedback": self.cleaned_data["feedback"],
        }


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("All"), Referral.Status.choices)
    )
    overdue = forms.BooleanField(label=_("Only overdue answers"), required=False)

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": "", "overdue": False}
        return {"status": self.cleaned_data["status"], "overdue": self.cleaned_data["overdue"]}


class DeliveryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(_("All"), ServiceDelivery.Kind.choices)
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def filters(self) -> selectors.DeliveryFilters:
        if not self.is_valid():
            return selectors.DeliveryFilters()
        data = self.cleaned_data
        return selectors.DeliveryFilters(
            kind=data["kind"], since=data["since"], until=data["until"]
        )
