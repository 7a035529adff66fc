"""Serializers of the services and referrals API. Partners get their own, built from the
`SharedReferral` of the selectors: only the fields the programme shares, never a model's."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oila.assessments.api import NamedRefSerializer
from oila.registry.models import Person
from oila.support.models import Referral, ServiceDelivery, ServiceType

NAMES_HELP = _("The name in every language: en, uz (Latin), uz-cyrl and ru.")


def ref(obj: Any, name: str | None = None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": name if name is not None else str(obj)}


class ServiceTypeRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))


class ServiceTypeSerializer(serializers.ModelSerializer):
    programme = serializers.UUIDField(source="programme_id", read_only=True)
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    names = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text=NAMES_HELP
    )

    class Meta:
        model = ServiceType
        fields = [
            "id", "programme", "code", "category", "name", "names", "is_group_capable", "unit"
        ]  # fmt: skip
        read_only_fields = fields


# ---------------------------------------------------------------------------------------------------
# Deliveries


class AttendanceSerializer(serializers.Serializer):
    person = serializers.SerializerMethodField()
    attended = serializers.BooleanField(read_only=True)

    @extend_schema_field(NamedRefSerializer)
    def get_person(self, obj: Any) -> dict[str, Any] | None:
        person: Person = obj.person
        return ref(person, person.full_name)


class DeliverySummarySerializer(serializers.ModelSerializer):
    service_type = ServiceTypeRefSerializer(read_only=True)
    case = serializers.UUIDField(source="case_id", read_only=True, allow_null=True)
    provider_user = serializers.SerializerMethodField()
    provider_organisation = serializers.SerializerMethodField()
    present = serializers.IntegerField(read_only=True, help_text=_("How many attended."))

    class Meta:
        model = ServiceDelivery
        fields = [
            "id", "service_type", "kind", "case", "delivered_on", "provider_user",
            "provider_organisation", "duration_minutes", "quantity", "cost_uzs", "present",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_provider_user(self, obj: ServiceDelivery) -> dict[str, Any] | None:
        user = obj.provider_user
        return ref(user, user.display_name) if user else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_provider_organisation(self, obj: ServiceDelivery) -> dict[str, Any] | None:
        org = obj.provider_organisation
        return ref(org, org.name) if org else None


class DeliverySerializer(DeliverySummarySerializer):
    """A delivery with its attendance list and notes."""

    plan_action = serializers.UUIDField(source="plan_action_id", read_only=True, allow_null=True)
    recorded_by = serializers.SerializerMethodField()
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True)
    present = serializers.SerializerMethodField()

    class Meta(DeliverySummarySerializer.Meta):
        fields = [
            *DeliverySummarySerializer.Meta.fields, "notes", "plan_action", "recorded_by",
            "created_at", "attendance",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer)
    def get_recorded_by(self, obj: ServiceDelivery) -> dict[str, Any] | None:
        return ref(obj.recorded_by, obj.recorded_by.display_name)

    @extend_schema_field(serializers.IntegerField(help_text=_("How many attended.")))
    def get_present(self, obj: ServiceDelivery) -> int:
        return sum(1 for a in obj.attendances.all() if a.attended)


class AttendanceInputSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    attended = serializers.BooleanField(default=True)


class DeliveryCreateSerializer(serializers.Serializer):
    service_type = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ServiceDelivery.Kind.choices)
    delivered_on = serializers.DateField()
    case = serializers.UUIDField(required=False, allow_null=True)
    provider_user = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("A staff member, or give provider_organisation."),
    )
    provider_organisation = serializers.UUIDField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=24 * 60
    )
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    cost_uzs = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    plan_action = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("An open action of the case's plan; it is marked done."),
    )
    attendance = AttendanceInputSerializer(
        many=True,
        max_length=500,
        help_text=_(
            "Who attended (and who was expected but absent); exactly one person, present, for an "
            "individual session. Everyone must be enrolled in the programme."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("provider_user")) == bool(attrs.get("provider_organisation")):
            raise serializers.ValidationError(
                {"provider_user": [_("Give either provider_user or provider_organisation.")]}
            )
        return attrs


# ---------------------------------------------------------------------------------------------------
# Referrals: the programme's side


class CaseNumberSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    number = serializers.CharField(read_only=True)


class ReferralSummarySerializer(serializers.ModelSerializer):
    """A referral without its narratives (reason, answers, feedback)."""

    case = CaseNumberSerializer(read_only=True)
    person = serializers.SerializerMethodField()
    household = serializers.SerializerMethodField()
    service_type = ServiceTypeRefSerializer(read_only=True)
    to_organisation = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id", "case", "person", "household", "service_type", "to_organisation", "urgency",
            "status", "response_due_on", "is_overdue", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_person(self, obj: Referral) -> dict[str, Any] | None:
        return ref(obj.person, obj.person.full_name) if obj.person else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_household(self, obj: Referral) -> dict[str, Any] | None:
        return ref(obj.household, obj.household.name) if obj.household else None

    @extend_schema_field(NamedRefSerializer)
    def get_to_organisation(self, obj: Referral) -> dict[str, Any] | None:
        return ref(obj.to_organisation, obj.to_organisation.name)


class ReferralSerializer(ReferralSummarySerializer):
    """A referral with its reason, the consent it relied on (or the override) and the answers."""

    from_organisation = serializers.SerializerMethodField()
    consent = serializers.UUIDField(source="consent_id", read_only=True, allow_null=True)
    override_by = serializers.SerializerMethodField()
    plan_action = serializers.UUIDField(source="plan_action_id", read_only=True, allow_null=True)
    referred_by = serializers.SerializerMethodField()
    responded_by = serializers.SerializerMethodField()
    reported_by = serializers.SerializerMethodField()

    class Meta(ReferralSummarySerializer.Meta):
        fields = [
            *ReferralSummarySerializer.Meta.fields, "from_organisation", "reason", "consent",
            "override_reason", "override_by", "plan_action", "referred_by", "responded_at",
            "responded_by", "decline_reason", "reported_at", "reported_by", "feedback",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer)
    def get_from_organisation(self, obj: Referral) -> dict[str, Any] | None:
        return ref(obj.from_organisation, obj.from_organisation.name)

    def _user(self, user: Any) -> dict[str, Any] | None:
        return ref(user, user.display_name) if user else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_override_by(self, obj: Referral) -> dict[str, Any] | None:
        return self._user(obj.override_by)

    @extend_schema_field(NamedRefSerializer)
    def get_referred_by(self, obj: Referral) -> dict[str, Any] | None:
        return self._user(obj.referred_by)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_responded_by(self, obj: Referral) -> dict[str, Any] | None:
        return self._user(obj.responded_by)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_reported_by(self, obj: Referral) -> dict[str, Any] | None:
        return self._user(obj.reported_by)


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    person = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("One of the case's people, or give household.")
    )
    household = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("The case's household, or give person.")
    )
    service_type = serializers.UUIDField()
    to_organisation = serializers.UUIDField(help_text=_("An agency that offers the service."))
    from_organisation = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("Omitted when the programme refers; the agency that referred otherwise."),
    )
    urgency = serializers.ChoiceField(
        choices=Referral.Urgency.choices, default=Referral.Urgency.NORMAL
    )
    reason = serializers.CharField(max_length=10_000)
    plan_action = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "An open action of the case's plan that the agency is responsible for; completing "
            "the referral marks it done."
        ),
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10_000,
        help_text=_(
            "Only without a current consent to share information, and only for supervisors and "
            "programme managers: why it is sent anyway (audited)."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("person")) == bool(attrs.get("household")):
            raise serializers.ValidationError({"person": [_("Give either person or household.")]})
        return attrs


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=10_000, help_text=_("Why it is declined."))


OUTCOMES = [("completed", "completed"), ("not_completed", "not completed")]


class ReportSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    feedback = serializers.CharField(max_length=10_000, help_text=_("What came of the referral."))


class ReferralFilterSerializer(serializers.Serializer):
    case = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=Referral.Status.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("Only those whose answer is overdue.")
    )


class DeliveryFilterSerializer(serializers.Serializer):
    case = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=ServiceDelivery.Kind.choices, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


# ---------------------------------------------------------------------------------------------------
# Referrals: the partner's side


class SharedFieldsSerializer(serializers.Serializer):
    """The referred person's or household's fields that the programme shares; a field it does not
    share is absent (for a household: the family name, the place and the phone)."""

    # Output only (the parent's field is read-only). The fields are not marked read-only
    # themselves: the OpenAPI description would then call every one of them required.
    given_name = serializers.CharField(required=False)
    family_name = serializers.CharField(required=False)
    patronymic = serializers.CharField(required=False)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False)
    age = serializers.IntegerField(required=False)
    birth_date = serializers.DateField(required=False)
    district = serializers.CharField(required=False)
    mahalla = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    service = serializers.CharField(required=False, help_text=_("In the request's language."))
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices, required=False)
    reason = serializers.CharField(required=False)


class PartnerReferralSerializer(serializers.Serializer):
    """A referral addressed to the partner's agency, as the agency sees it."""

    id = serializers.UUIDField(read_only=True)
    status = serializers.ChoiceField(choices=Referral.Status.choices, read_only=True)
    sent_at = serializers.DateTimeField(read_only=True)
    response_due_on = serializers.DateField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    from_organisation = serializers.CharField(read_only=True)
    referred_by = serializers.CharField(
        read_only=True, help_text=_("The staff member to contact at the referring agency.")
    )
    is_household = serializers.BooleanField(read_only=True)
    shared = SharedFieldsSerializer(read_only=True)
    responded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decline_reason = serializers.CharField(read_only=True)
    reported_at = serializers.DateTimeField(read_only=True, allow_null=True)
    feedback = serializers.CharField(read_only=True)


class PartnerFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Referral.Status.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)
