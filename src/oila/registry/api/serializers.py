"""Serializers of the REST API: they check the shape of what comes in and describe what goes out.

They never save: the views hand validated data to the registry services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oila.accounts.selectors import programmes_of
from oila.geo import selectors as geo
from oila.registry.models import Enrolment, Household, Membership, Person

# ---------------------------------------------------------------------------------------------------
# Output: what a client reads


class DistrictSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    soato = serializers.CharField(read_only=True, help_text=_("SOATO code (7 digits)."))
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))
    name_uz = serializers.CharField(read_only=True)
    name_uz_cyrl = serializers.CharField(read_only=True)
    name_ru = serializers.CharField(read_only=True)


class MahallaSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))
    name_uz = serializers.CharField(read_only=True)
    name_uz_cyrl = serializers.CharField(read_only=True)
    name_ru = serializers.CharField(read_only=True)


class StaffSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class EnrolmentSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(
        source="person_id",
        read_only=True,
        allow_null=True,
        help_text=_("The enrolled member, or null when the household itself is enrolled."),
    )

    class Meta:
        model = Enrolment
        fields = ["id", "group", "status", "enrolled_on", "ended_on", "person"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    """One membership of a household, seen from the household."""

    id = serializers.UUIDField(source="person_id", read_only=True, help_text=_("The person's id."))
    membership = serializers.UUIDField(source="id", read_only=True)
    name = serializers.CharField(source="person.full_name", read_only=True)
    sex = serializers.ChoiceField(source="person.sex", choices=Person.Sex.choices, read_only=True)
    birth_date = serializers.DateField(source="person.birth_date", read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "id", "membership", "name", "relationship", "sex", "birth_date", "started_on", "ended_on"
        ]  # fmt: skip
        read_only_fields = fields


class HouseholdRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class PersonMembershipSerializer(serializers.ModelSerializer):
    """One membership of a person, seen from the person."""

    household = HouseholdRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "household", "relationship", "started_on", "ended_on"]
        read_only_fields = fields


class HouseholdSummarySerializer(serializers.ModelSerializer):
    """A row of the household list: enough to pick the household, no personal details."""

    district = DistrictSerializer(read_only=True)
    mahalla = MahallaSerializer(read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True, help_text=_("Current members."))

    class Meta:
        model = Household
        fields = ["id", "name", "kind", "district", "mahalla", "member_count", "updated_at"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    """A household with its members and enrolments (reading it is recorded in the audit log)."""

    programme = serializers.UUIDField(source="programme_id", read_only=True)
    district = DistrictSerializer(read_only=True)
    mahalla = MahallaSerializer(read_only=True, allow_null=True)
    caseworker = StaffSerializer(read_only=True, allow_null=True)
    income_sources = serializers.ListField(
        child=serializers.ChoiceField(choices=Household.Income.choices), read_only=True
    )
    state_benefits = serializers.ListField(
        child=serializers.ChoiceField(choices=Household.Benefit.choices), read_only=True
    )
    housing = serializers.ChoiceField(
        choices=Household.Housing.choices, allow_blank=True, read_only=True
    )
    members = MemberSerializer(source="memberships", many=True, read_only=True)
    enrolments = serializers.SerializerMethodField(
        help_text=_("Enrolments of the household and of its current members.")
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "name",
            "kind",
            "programme",
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
            "external_id",
            "caseworker",
            "members",
            "enrolments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(EnrolmentSerializer(many=True))
    def get_enrolments(self, household: Household) -> Any:
        # The view reads them with selectors.household_enrolments (one query) and passes them in.
        return EnrolmentSerializer(self.context["enrolments"], many=True).data


class PersonSummarySerializer(serializers.ModelSerializer):
    """A row of the people list: names, sex and date of birth only."""

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "patronymic",
            "sex",
            "birth_date",
            "birth_date_estimated",
        ]
        read_only_fields = fields


def mask_pinfl(pinfl: str) -> str | None:
    """Only the last four digits of an identifier ever leave the server."""
    return "*" * (len(pinfl) - 4) + pinfl[-4:] if pinfl else None


class PersonSerializer(serializers.ModelSerializer):
    """A person with their households and enrolments (reading it is recorded in the audit log)."""

    programme = serializers.UUIDField(source="programme_id", read_only=True)
    full_name = serializers.CharField(read_only=True)
    name_script = serializers.ChoiceField(
        choices=Person.Script.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The script the name was entered in (derived)."),
    )
    pinfl_masked = serializers.SerializerMethodField(
        help_text=_("The PINFL with all but its last four digits hidden; null when not recorded.")
    )
    memberships = PersonMembershipSerializer(many=True, read_only=True)
    enrolments = EnrolmentSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "programme",
            "given_name",
            "family_name",
            "patronymic",
            "full_name",
            "name_script",
            "sex",
            "birth_date",
            "birth_date_estimated",
            *Person.WG_FIELDS,
            "has_disability",
            "pinfl_masked",
            "phone",
            "external_id",
            "memberships",
            "enrolments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_pinfl_masked(self, person: Person) -> str | None:
        return mask_pinfl(person.pinfl)


# ---------------------------------------------------------------------------------------------------
# Input: what a client sends. Shapes only; the services apply the programme's rules.


@extend_schema_field(
    {
        "type": "string",
        "description": "SOATO code (7 digits) or id of the district.",
        "example": "1733217",
    }
)
class DistrictField(serializers.Field):
    default_error_messages = {"unknown": _("No district has this SOATO code or id.")}

    def to_internal_value(self, data: Any) -> Any:
        value = str(data).strip()
        if "\x00" in value or len(value) > 64:  # PostgreSQL refuses NUL in text: answer, don't fail
            self.fail("unknown")
        try:
            lookup: dict[str, Any] = {"pk": uuid.UUID(value)}
        except ValueError:
            lookup = {"soato": value}
        district = geo.district_list().filter(**lookup).first()
        if district is None:
            self.fail("unknown")
        return district

    def to_representation(self, value: Any) -> Any:
        return value.soato


@extend_schema_field(OpenApiTypes.UUID)
class ProgrammeField(serializers.PrimaryKeyRelatedField):
    """A programme the requesting user works on."""

    def get_queryset(self) -> Any:
        return programmes_of(user=self.context["request"].user)


def _mahalla_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=geo.mahalla_list(), help_text=_("Id of the mahalla."), **kwargs
    )


class HouseholdInputSerializer(serializers.Serializer):
    """A household's own fields. On PUT, omitted optional fields are reset to their defaults."""

    name = serializers.CharField(max_length=200, help_text=_("Family name of the household."))
    kind = serializers.ChoiceField(
        choices=Household.Kind.choices, default=Household.Kind.VULNERABLE
    )
    district = DistrictField()
    mahalla = _mahalla_field(allow_null=True, default=None)
    address = serializers.CharField(max_length=300, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, allow_blank=True, default="")
    income_sources = serializers.ListField(
        child=serializers.ChoiceField(choices=Household.Income.choices), default=list
    )
    state_benefits = serializers.ListField(
        child=serializers.ChoiceField(choices=Household.Benefit.choices), default=list
    )
    adults_employed = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, default=None
    )
    monthly_income_uzs = serializers.IntegerField(
        min_value=0, max_value=10**15, allow_null=True, default=None
    )
    housing = serializers.ChoiceField(
        choices=Household.Housing.choices, allow_blank=True, default=""
    )
    economic_notes = serializers.CharField(
        allow_blank=True, max_length=10_000, default="", help_text=_("Stored encrypted.")
    )
    external_id = serializers.CharField(max_length=64, allow_blank=True, default="")


pinfl_validator = RegexValidator(r"^\d{14}$", _("A PINFL has exactly 14 digits."))


class PersonInputSerializer(serializers.Serializer):
    """A person's own fields. On PUT, omitted optional fields are reset to their defaults, except
    `pinfl`, which is never shown in full and so is only changed when sent."""

    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, allow_blank=True, default="")
    sex = serializers.ChoiceField(choices=Person.Sex.choices)
    birth_date = serializers.DateField(allow_null=True, default=None)
    birth_date_estimated = serializers.BooleanField(default=False)
    estimated_age = serializers.IntegerField(
        min_value=0,
        max_value=120,
        required=False,
        write_only=True,
        help_text=_("Age in years when the date of birth is unknown; sets an estimated date."),
    )
    wg_seeing = serializers.ChoiceField(Person.Difficulty.choices, allow_null=True, default=None)
    wg_hearing = serializers.ChoiceField(Person.Difficulty.choices, allow_null=True, default=None)
    wg_walking = serializers.ChoiceField(Person.Difficulty.choices, allow_null=True, default=None)
    wg_cognition = serializers.ChoiceField(Person.Difficulty.choices, allow_null=True, default=None)
    wg_selfcare = serializers.ChoiceField(Person.Difficulty.choices, allow_null=True, default=None)
    wg_communication = serializers.ChoiceField(
        Person.Difficulty.choices, allow_null=True, default=None
    )
    pinfl = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        validators=[pinfl_validator],
        help_text=_("14-digit personal identification number; write-only, shown masked."),
    )
    phone = serializers.CharField(max_length=40, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=64, allow_blank=True, default="")

    confirm_new = serializers.BooleanField(
        required=False,
        write_only=True,
        help_text=_(
            "Set after a 409 that listed possible duplicates: this is not one of them, save it as "
            "entered (the choice is audited)."
        ),
    )

    def validate_pinfl(self, value: str) -> str:
        return value.strip()


def _link_to_field() -> serializers.UUIDField:
    return serializers.UUIDField(
        required=False,
        write_only=True,
        help_text=_(
            "Set after a 409 that listed possible duplicates: the id of the one this is. That "
            "person joins the household instead of a new record being created (audited)."
        ),
    )


class MemberInputSerializer(PersonInputSerializer):
    relationship = serializers.ChoiceField(choices=Membership.Relationship.choices)
    group = serializers.ChoiceField(
        choices=Enrolment.Group.choices,
        required=False,
        help_text=_("Beneficiary group to enrol the member in."),
    )
    link_to = _link_to_field()


class HouseholdCreateSerializer(HouseholdInputSerializer):
    programme = ProgrammeField(
        required=False,
        help_text=_("Programme to register in; by default the user's (first) programme."),
    )
    members = MemberInputSerializer(many=True, allow_empty=False)


class PersonCreateSerializer(PersonInputSerializer):
    household = serializers.UUIDField(help_text=_("Id of a household you can see."))
    relationship = serializers.ChoiceField(
        choices=Membership.Relationship.choices, help_text=_("Relationship to the head.")
    )
    started_on = serializers.DateField(
        required=False, help_text=_("Member of the household since (default: today).")
    )
    link_to = _link_to_field()


class CandidateSerializer(serializers.Serializer):
    """A person already registered who may be the one sent (the duplicate check at entry). One
    outside the caller's scope is only `{"outside_scope": true}`: nothing about them is shown."""

    id = serializers.UUIDField(required=False)
    name = serializers.CharField(required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    district = serializers.CharField(required=False, allow_null=True, help_text=_("SOATO code."))
    score = serializers.FloatField(required=False, help_text=_("0 to 1."))
    reasons = serializers.ListField(child=serializers.CharField(), required=False)
    outside_scope = serializers.BooleanField(required=False)


def candidate_data(candidate: Any) -> dict[str, Any]:
    """What the API says about one candidate (registry.matching.Candidate)."""
    if not candidate.visible or candidate.person is None:
        return {"outside_scope": True}
    person = candidate.person
    return {
        "id": str(person.pk),
        "name": person.full_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "district": candidate.district.soato if candidate.district else None,
        "score": candidate.score,
        "reasons": candidate.reason_labels,
    }


class DuplicatesSerializer(serializers.Serializer):
    detail = serializers.CharField()
    candidates = serializers.JSONField(
        help_text=_(
            "The possible duplicates: a list (one person sent) or an object keyed by member "
            "position (a household), of candidates."
        )
    )


class HouseholdFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=200, help_text=_("Words of the family's or a member's name.")
    )
    district = DistrictField(required=False)
    mahalla = _mahalla_field(required=False)
    group = serializers.ChoiceField(
        choices=Enrolment.Group.choices,
        required=False,
        help_text=_("Households with an enrolment (own or a current member's) in this group."),
    )
    status = serializers.ChoiceField(
        choices=Enrolment.Status.choices,
        required=False,
        help_text=_("Households with an enrolment (own or a current member's) in this status."),
    )


class PersonFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=200, help_text=_("Words of the name, in either script.")
    )
    pinfl = serializers.CharField(
        required=False, validators=[pinfl_validator], help_text=_("Exact PINFL (14 digits).")
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
