"""Forms of the registry's pages. They check and convert input; saving is always a service's job.

The model forms are used for validation only (the model's own rules run on a throw-away instance and
show on the right field); views hand `cleaned_data` to a service and never call `form.save()`.
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.common.forms import DateInput, service_errors
from oila.geo.selectors import (
    Place,
    district_list,
    district_options,
    mahalla_list,
    mahalla_options,
)
from oila.registry import selectors
from oila.registry.models import CareArrangement, Consent, Enrolment, Household, Membership, Person

MAX_MEMBERS = 30


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _not_in_future(value: Any) -> None:
    if value is not None and value > today():
        raise ValidationError(_("This date cannot be in the future."))


MAHALLA_BLANK = {"all": _("All"), "none": _("No mahalla given")}


def setup_places(form: forms.BaseForm, blank: str) -> None:
    """A district select that refreshes the mahalla select (htmx), and mahallas shown per district.

    `blank` is what an empty mahalla means: "all" (a filter) or "none" (a form). The selects show
    the places geo.selectors keeps in memory; validation checks against the database and accepts
    every mahalla, so that one of another district gets the model's clear message ("not in the
    district") rather than "not a valid choice".
    """
    district, mahalla = form.fields["district"], form.fields["mahalla"]
    assert isinstance(district, forms.ModelChoiceField)
    assert isinstance(mahalla, forms.ModelChoiceField)
    district.queryset = district_list()
    mahalla.queryset = mahalla_list()
    # (after the querysets: setting one hands the widget the field's own options)
    district_blank = district.empty_label
    district.widget.choices = cache(lambda: _options(district_blank, district_options()))
    district.widget.attrs.update(
        {
            "hx-get": f"{reverse('registry:mahalla-options')}?blank={blank}",
            "hx-target": "#id_mahalla",
            "hx-trigger": "change",
        }
    )
    raw = form.data.get("district") if form.is_bound else form.initial.get("district")
    district_id = _as_uuid(getattr(raw, "pk", raw))
    if district_id is None:
        mahalla.widget.choices = [("", _("Choose a district first"))]
    else:
        mahalla.widget.choices = cache(
            lambda: _options(MAHALLA_BLANK[blank], mahalla_options(district_id=district_id))
        )


def _options(blank: Any, places: list[Place]) -> list[tuple[Any, Any]]:
    """A select's options: the blank one (unless None), then the places; read when the select is
    first drawn (cache: once per form, however often the widget goes through its options)."""
    return ([("", blank)] if blank is not None else []) + [(place.pk, place) for place in places]


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("A member's or the family's name, in Latin or Cyrillic."),
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=district_list(),
        required=False,
        empty_label=_("All"),
    )
    mahalla = forms.ModelChoiceField(
        label=_("Mahalla"),
        queryset=mahalla_list(),
        required=False,
        empty_label=_("All"),
    )
    group = forms.ChoiceField(
        label=_("Beneficiary group"),
        required=False,
        choices=_blank(_("All"), Enrolment.Group.choices),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_blank(_("All"), Enrolment.Status.choices),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        setup_places(self, "all")
        url = reverse("registry:households")
        self.fields["q"].widget.attrs.update(
            {
                # Results follow the typing (htmx); without JavaScript the form's button searches.
                "hx-get": url,
                "hx-trigger": "keyup changed delay:300ms, search",
                "hx-target": "#results",
                "hx-push-url": "true",
                "hx-include": "closest form",
            }
        )

    def has_filters(self) -> bool:
        return any(self.data.get(name) for name in ("district", "mahalla", "group", "status"))

    def filters(self) -> selectors.HouseholdFilters:
        """The filters that were valid (an invalid one is shown as an error and ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.HouseholdFilters(
            q=data.get("q") or "",
            district=data.get("district"),
            mahalla=data.get("mahalla"),
            group=data.get("group") or "",
            status=data.get("status") or "",
        )


HOUSEHOLD_FORM_FIELDS = [
    "name",
    "kind",
    "district",
    "mahalla",
    "address",
    "phone",
    "income_sources",
    "state_benefits",
    "adults_employed",
    "monthly_income_uzs",
    "housing",
    "economic_notes",
]


class HouseholdForm(forms.ModelForm):
    income_sources = forms.MultipleChoiceField(
        label=_("Income sources"),
        required=False,
        choices=Household.Income.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    state_benefits = forms.MultipleChoiceField(
        label=_("State benefits"),
        required=False,
        choices=Household.Benefit.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        fields = HOUSEHOLD_FORM_FIELDS
        labels = {"name": _("Household name")}
        help_texts = {"name": _("Usually the family's surname, e.g. Karimovlar.")}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "economic_notes": forms.Textarea(attrs={"rows": 3}),
            "adults_employed": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "monthly_income_uzs": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        setup_places(self, "none")

    @classmethod
    def for_household(cls, household: Household, data: Any = None) -> HouseholdForm:
        """An edit form showing the household's values (the household itself is never touched)."""
        return cls(data, initial=model_to_dict(household, fields=HOUSEHOLD_FORM_FIELDS))

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in HOUSEHOLD_FORM_FIELDS}


PERSON_FORM_FIELDS = ["given_name", "family_name", "patronymic", "sex", "birth_date"]


class PersonFieldsMixin:
    """What the member form and the person edit form share: PINFL input and the WG questions."""

    def wg_fields(self) -> list[forms.BoundField]:
        """The six Washington Group questions (the page folds them away)."""
        form = cast(forms.BaseForm, self)
        return [form[name] for name in Person.WG_FIELDS]

    def main_fields(self) -> list[forms.BoundField]:
        form = cast(forms.BaseForm, self)
        return [form[name] for name in form.fields if name not in Person.WG_FIELDS]


def _pinfl_field(help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=_("PINFL"),
        required=False,
        max_length=14,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{14}"}
        ),
    )


class MemberForm(PersonFieldsMixin, forms.ModelForm):
    """One member in the registration flow (or added to a household later)."""

    estimated_age = forms.IntegerField(
        label=_("Age, if the date of birth is not known"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the head"),
        choices=_blank("---------", Membership.Relationship.choices),
    )
    group = forms.ChoiceField(
        label=_("Enrol in"),
        required=False,
        choices=_blank(_("not enrolled"), Enrolment.Group.choices),
    )
    pinfl = _pinfl_field(_("14 digits, if known."))

    class Meta:
        model = Person
        fields = [*PERSON_FORM_FIELDS, "pinfl", *Person.WG_FIELDS]
        widgets = {"birth_date": DateInput()}

    field_order = [
        *PERSON_FORM_FIELDS, "estimated_age", "relationship", "group", "pinfl", *Person.WG_FIELDS,
    ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("birth_date") and data.get("estimated_age") is not None:
            self.add_error("estimated_age", _("Give either a date of birth or an age, not both."))
        return data

    def service_data(self) -> dict[str, Any]:
        """The member as household_register and household_member_add take it."""
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["pinfl"] = data["pinfl"] or ""
        if self.cleaned_data.get("estimated_age") is not None:
            data["estimated_age"] = self.cleaned_data["estimated_age"]
        data["relationship"] = self.cleaned_data["relationship"]
        data["group"] = self.cleaned_data.get("group") or ""
        # The user's choice among possible duplicates (views.entry.check_form), if there were any.
        if getattr(self, "entry_decision", None) is not None:
            data["entry"] = self.entry_decision
        return data


class BaseMemberFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this member")

    def filled_forms(self) -> list[MemberForm]:
        """The member forms that were filled in and not removed, in page order."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]

    def form_at(self, index: int) -> MemberForm:
        """A blank member form for position `index` (the "add another member" button)."""
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix(index),
            empty_permitted=True,
            use_required_attribute=False,
        )
        self.add_fields(form, index)
        return form


MemberFormSet = cast(
    type[BaseMemberFormSet],
    forms.formset_factory(
        MemberForm,
        formset=BaseMemberFormSet,
        extra=1,
        min_num=1,
        validate_min=True,
        max_num=MAX_MEMBERS,
        validate_max=True,
        can_delete=True,
    ),
)
MEMBERS_PREFIX = "members"
# household_register names a member's errors "members.<i>.<field>" ("members[<i>]" accepted too).
_MEMBER_KEY = re.compile(r"^members(?:\.(\d+)|\[(\d+)\])(?:\.(\w+))?$")


class Registration:
    """The one-page registration: the household's form and its members' formset, checked together."""

    def __init__(self, data: Any = None, *, add_member: bool = False) -> None:
        if data is not None and add_member:
            data = data.copy()
            total = f"{MEMBERS_PREFIX}-TOTAL_FORMS"
            count = _int(data.get(total), 1)
            data[total] = str(min(count + 1, MAX_MEMBERS))
        self.household = HouseholdForm(data)
        self.members = MemberFormSet(data, prefix=MEMBERS_PREFIX)

    def is_valid(self) -> bool:
        household_ok = self.household.is_valid()
        return self.members.is_valid() and household_ok

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "data": self.household.service_data(),
            "members": [form.service_data() for form in self.members.filled_forms()],
        }

    def add_service_errors(self, exc: ValidationError | ApplicationError) -> None:
        """Put what household_register raised on the right field of the right form.

        Member errors are keyed "members.i.field", i counting the members sent.
        """
        member_forms = self.members.filled_forms()
        for field, messages in service_errors(exc):
            match = _MEMBER_KEY.match(field or "")
            index = int(match[1] or match[2]) if match else -1
            if 0 <= index < len(member_forms):
                form = member_forms[index]
                name = match[3] if match else None
                form.add_error(name if name in form.fields else None, messages)
            elif field == MEMBERS_PREFIX:
                self.members.non_form_errors().extend(messages)
            else:
                target = field if field in self.household.fields else None
                self.household.add_error(target, messages)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class PersonForm(PersonFieldsMixin, forms.ModelForm):
    """Editing a person. The PINFL is never shown back: empty keeps the one on record."""

    pinfl = _pinfl_field(_("Leave empty to keep the PINFL on record."))
    clear_pinfl = forms.BooleanField(label=_("Remove the PINFL on record"), required=False)

    class Meta:
        model = Person
        fields = [
            *PERSON_FORM_FIELDS, "birth_date_estimated", "phone", "pinfl", *Person.WG_FIELDS,
        ]  # fmt: skip
        widgets = {
            "birth_date": DateInput(),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    field_order = [*Meta.fields[:-6], "clear_pinfl", *Person.WG_FIELDS]

    @classmethod
    def for_person(cls, person: Person, data: Any = None) -> PersonForm:
        initial = model_to_dict(person, fields=[f for f in cls.Meta.fields if f != "pinfl"])
        return cls(data, initial=initial)

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        if self.cleaned_data.get("clear_pinfl"):
            data["pinfl"] = ""
        elif not data["pinfl"]:
            del data["pinfl"]
        return data


class CareArrangementForm(forms.ModelForm):
    class Meta:
        model = CareArrangement
        fields = ["type", "started_on", "caregiver_household", "place", "next_review_on", "notes"]
        widgets = {
            "started_on": DateInput(),
            "next_review_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "started_on": _("The arrangement on record until now ends the day before."),
            "next_review_on": _("Left empty, formal care gets the programme's review interval."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        households = self.fields["caregiver_household"]
        assert isinstance(households, forms.ModelChoiceField)
        # Only households this user may see can be named as the caregiver.
        households.queryset = selectors.household_list(user=user)
        self.fields["started_on"].validators.append(_not_in_future)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "given_by", "given_by_name", "child_assent", "given_on", "note"]
        widgets = {"given_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"given_on": today()})
        super().__init__(*args, **kwargs)
        self.fields["given_on"].validators.append(_not_in_future)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"), widget=DateInput(), validators=[_not_in_future]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"withdrawn_on": today()})
        super().__init__(*args, **kwargs)


class EnrolForm(forms.Form):
    group = forms.ChoiceField(label=_("Beneficiary group"), choices=Enrolment.Group.choices)
    enrolled_on = forms.DateField(
        label=_("Enrolled on"), widget=DateInput(), validators=[_not_in_future]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"enrolled_on": today()})
        super().__init__(*args, **kwargs)


class EnrolmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Enrolment.Status.choices)
    ended_on = forms.DateField(
        label=_("Ended on"),
        required=False,
        widget=DateInput(),
        validators=[_not_in_future],
        help_text=_("Left empty: today. Not used when the status is active."),
    )

    @classmethod
    def for_enrolment(cls, enrolment: Enrolment, data: Any = None) -> EnrolmentStatusForm:
        return cls(data, initial={"status": enrolment.status, "ended_on": enrolment.ended_on})
