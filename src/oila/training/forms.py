"""Forms of the training pages. They check and convert input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, Programme, Role, User
from oila.common.dates import today
from oila.common.forms import DateInput
from oila.registry.models import Person
from oila.training.models import SCORE_RANGE, TrainingEvent, TrainingParticipation
from oila.training.services import ResultRow


def trainers(programme: Any) -> QuerySet[User]:
    """Staff of a programme who may be named as trainers."""
    return (
        User.objects.filter(
            is_active=True, role__in=[Role.CASEWORKER, Role.SUPERVISOR, Role.MANAGER]
        )
        .filter(Q(team__programme=programme) | Q(programmes=programme))
        .distinct()
        .order_by("last_name", "username")
    )


class ProgrammeChoiceMixin:
    """A programme to choose only for a user who works on several."""

    fields: dict[str, forms.Field]

    def add_programme(self, programmes: QuerySet[Programme]) -> None:
        if programmes.count() > 1:
            self.fields["programme"] = forms.ModelChoiceField(
                label=_("Programme"), queryset=programmes
            )
        self.programmes = programmes

    def programme(self, cleaned: dict[str, Any]) -> Programme | None:
        return cleaned.get("programme") or self.programmes.first()


class EventForm(ProgrammeChoiceMixin, forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    trainer = forms.ModelChoiceField(
        label=_("Trainer (a staff member)"), queryset=User.objects.none(), required=False
    )
    trainer_name = forms.CharField(
        label=_("Trainer"),
        max_length=200,
        required=False,
        help_text=_("The trainer's name, when the trainer is not a user of oila."),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        programmes: QuerySet[Programme],
        event: TrainingEvent | None = None,
    ) -> None:
        initial: dict[str, Any] = {"starts_on": today(), "ends_on": today()}
        if event is not None:
            initial = {name: getattr(event, name) for name in self.base_fields}
        super().__init__(data, initial=initial)
        if event is None:
            self.add_programme(programmes)
        else:
            self.programmes = programmes
        programme = event.programme_id if event else programmes.first()
        self.fields["trainer"].queryset = trainers(programme)
        self.fields["trainer"].label_from_instance = lambda u: u.display_name

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "programme"}


class SpecialistForm(ProgrammeChoiceMixin, forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, widget=forms.RadioSelect)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Works for"),
        queryset=Organisation.objects.order_by("name"),
        help_text=_("The agency the specialist works for. Agencies are added by an administrator."),
    )
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DateInput())

    def __init__(self, data: Any = None, *, programmes: QuerySet[Programme]) -> None:
        super().__init__(data, initial={"enrolled_on": today()})
        self.add_programme(programmes)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

    def person_data(self) -> dict[str, Any]:
        names = ("given_name", "family_name", "patronymic", "sex", "phone")
        return {k: self.cleaned_data[k] for k in names}


class ProfileForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Works for"), queryset=Organisation.objects.order_by("name")
    )
    position = forms.CharField(label=_("Position"), max_length=200, required=False)

    def __init__(self, data: Any = None, *, person: Person) -> None:
        profile = getattr(person, "specialist_profile", None)
        initial = (
            {"organisation": profile.organisation_id, "position": profile.position}
            if profile
            else {}
        )
        super().__init__(data, initial=initial)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")


class ParticipantsForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Specialists"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data: Any = None, *, choices: QuerySet[Person]) -> None:
        super().__init__(data)
        field = self.fields["people"]
        field.queryset = choices
        field.label_from_instance = _specialist_label


def _specialist_label(person: Person) -> str:
    profile = getattr(person, "specialist_profile", None)
    if profile is None:
        return person.full_name
    where = ", ".join(p for p in (profile.position, profile.organisation.name) if p)
    return f"{person.full_name} ({where})"


def _score(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        error_messages={"min_value": SCORE_RANGE, "max_value": SCORE_RANGE},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )


class ResultsForm(forms.Form):
    """Attendance, pre- and post-test scores and certificate numbers of every participant of an
    event, in one form: fields are named `<participation id>.<field>`."""

    certificates_issued_on = forms.DateField(
        label=_("Certificates issued on"),
        widget=DateInput(),
        required=False,
        help_text=_("For the certificate numbers entered below. Left empty: the last day."),
    )

    def __init__(
        self, data: Any = None, *, event: TrainingEvent, rows: list[TrainingParticipation]
    ) -> None:
        super().__init__(data)
        self.event = event
        self.participations = rows
        for p in rows:
            self.fields[f"{p.pk}.attended"] = forms.BooleanField(
                label=_("attended"), required=False, initial=p.attended
            )
            self.fields[f"{p.pk}.pre_score"] = _score(str(_("pre-test %")))
            self.fields[f"{p.pk}.pre_score"].initial = p.pre_score
            self.fields[f"{p.pk}.post_score"] = _score(str(_("post-test %")))
            self.fields[f"{p.pk}.post_score"].initial = p.post_score
            self.fields[f"{p.pk}.certificate_number"] = forms.CharField(
                label=_("certificate number"),
                max_length=60,
                required=False,
                initial=p.certificate_number,
            )

    def table(self) -> list[dict[str, Any]]:
        """One row per participant with its bound fields, for the template."""
        return [
            {
                "participation": p,
                "attended": self[f"{p.pk}.attended"],
                "pre_score": self[f"{p.pk}.pre_score"],
                "post_score": self[f"{p.pk}.post_score"],
                "certificate_number": self[f"{p.pk}.certificate_number"],
            }
            for p in self.participations
        ]

    def result_rows(self) -> list[ResultRow]:
        data = self.cleaned_data
        issued_on = data.get("certificates_issued_on")
        rows = []
        for p in self.participations:
            number = data.get(f"{p.pk}.certificate_number") or ""
            keep_date = number and number == p.certificate_number
            rows.append(
                ResultRow(
                    participation=p,
                    attended=bool(data.get(f"{p.pk}.attended")),
                    pre_score=data.get(f"{p.pk}.pre_score"),
                    post_score=data.get(f"{p.pk}.post_score"),
                    certificate_number=number,
                    certificate_issued_on=(
                        p.certificate_issued_on if keep_date and not issued_on else issued_on
                    ),
                    key=str(p.pk),
                )
            )
        return rows
