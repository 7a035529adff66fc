"""Serializers of the cases API: shapes in and out. They never save; the views call the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oila.cases.models import Case, CaseEvent, GatekeepingDecision, Visit
from oila.registry.models import FORMAL_CARE, CareArrangement

FORMAL_CARE_CHOICES = [(k, v) for k, v in CareArrangement.Type.choices if k in FORMAL_CARE]
DUE_KINDS = ["assessment", "plan", "visit", "reassessment", "placement_review"]

# ---------------------------------------------------------------------------------------------------
# Output


class CaseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class CaseStaffSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class CasePersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)


class CaseSummarySerializer(serializers.ModelSerializer):
    """A row of the case list: enough to pick a case."""

    household = CaseRefSerializer(read_only=True)
    subject = CasePersonSerializer(read_only=True, allow_null=True)
    caseworker = CaseStaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id", "number", "kind", "status", "risk", "step", "household", "subject",
            "caseworker", "opened_on", "visit_due_on",
        ]  # fmt: skip
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    text = serializers.CharField(
        source="summary", read_only=True, help_text=_("In the request's language.")
    )
    actor = CaseStaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["at", "kind", "text", "actor", "url"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    """A case with its deadlines and timeline (reading it is recorded in the audit log)."""

    programme = serializers.UUIDField(source="programme_id", read_only=True)
    household = CaseRefSerializer(read_only=True)
    subject = CasePersonSerializer(read_only=True, allow_null=True)
    caseworker = CaseStaffSerializer(read_only=True, allow_null=True)
    team = CaseRefSerializer(read_only=True, allow_null=True)
    transferred_to = CaseRefSerializer(read_only=True, allow_null=True)
    closure_reason = serializers.ChoiceField(
        choices=Case.ClosureReason.choices, allow_blank=True, read_only=True
    )
    timeline = serializers.SerializerMethodField(help_text=_("Newest first."))

    class Meta:
        model = Case
        fields = [
            "id", "number", "kind", "programme", "household", "subject", "caseworker", "team",
            "status", "risk", "step", "identified_at", "opened_on", "closed_on", "closure_reason",
            "transferred_to", "assessment_due_at", "plan_due_on", "visit_due_on",
            "reassessment_due_on", "last_assessed_on", "plan_approved_on", "last_visit_on",
            "timeline", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_timeline(self, case: Case) -> Any:
        events = case.events.select_related("actor").order_by("-at", "-created_at")
        return CaseEventSerializer(events, many=True).data


class VisitSerializer(serializers.ModelSerializer):
    recorded_by = CaseStaffSerializer(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id", "on", "kind", "participants", "narrative", "next_steps", "recorded_by",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CaseCareArrangementSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person_id", read_only=True)

    class Meta:
        model = CareArrangement
        fields = ["id", "person", "type", "started_on", "ended_on", "place", "next_review_on"]
        read_only_fields = fields


class GatekeepingSerializer(serializers.ModelSerializer):
    child = CasePersonSerializer(read_only=True)
    alternatives_considered = serializers.ListField(
        child=serializers.ChoiceField(choices=CareArrangement.Type.choices), read_only=True
    )
    placement = CaseCareArrangementSerializer(read_only=True, allow_null=True)

    class Meta:
        model = GatekeepingDecision
        fields = [
            "id", "case", "child", "proposed_care", "necessity", "suitability",
            "alternatives_considered", "alternatives_note", "decision", "decided_on", "placement",
        ]  # fmt: skip
        read_only_fields = fields


class DueItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DUE_KINDS,
        read_only=True,
    )
    due_on = serializers.DateField(read_only=True)
    case = serializers.UUIDField(source="case_id", read_only=True)
    case_number = serializers.CharField(read_only=True)
    who = serializers.CharField(read_only=True, help_text=_("The family's or the child's name."))


class DueItemsSerializer(serializers.Serializer):
    overdue = DueItemSerializer(many=True, read_only=True)
    today = DueItemSerializer(many=True, read_only=True)
    week = DueItemSerializer(
        many=True, read_only=True, help_text=_("Due in the next six days after today.")
    )


class ReportRowSerializer(serializers.Serializer):
    month = serializers.DateField(read_only=True, allow_null=True)
    placements_made = serializers.IntegerField(read_only=True)
    placements_prevented = serializers.IntegerField(read_only=True)
    family_support_instead = serializers.IntegerField(read_only=True)
    reunifications = serializers.IntegerField(read_only=True)
    residential_to_family = serializers.IntegerField(read_only=True)


class AlternativeCareReportSerializer(serializers.Serializer):
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)
    months = ReportRowSerializer(many=True, read_only=True)
    total = ReportRowSerializer(read_only=True)


# ---------------------------------------------------------------------------------------------------
# Input


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    risk = serializers.ChoiceField(choices=Case.Risk.choices, required=False)
    step = serializers.ChoiceField(choices=Case.Step.choices, required=False)
    kind = serializers.ChoiceField(choices=Case.Kind.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("Only open cases with an overdue deadline.")
    )
    q = serializers.CharField(required=False, max_length=100, help_text=_("Case number or name."))


class CaseCreateSerializer(serializers.Serializer):
    household = serializers.UUIDField(help_text=_("Id of a household you can see."))
    kind = serializers.ChoiceField(choices=Case.Kind.choices)
    subject = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("For a child-protection case: the id of the child, a member of the household."),
    )
    risk = serializers.ChoiceField(choices=Case.Risk.choices)
    identified_at = serializers.DateTimeField(
        required=False, help_text=_("When the case was identified (default: now).")
    )
    caseworker = serializers.UUIDField(
        required=False, help_text=_("Id of a caseworker of the programme (default: the family's).")
    )


class VisitInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Not in the future."))
    kind = serializers.ChoiceField(choices=Visit.Kind.choices)
    participants = serializers.CharField(max_length=300, allow_blank=True, default="")
    narrative = serializers.CharField(max_length=10_000, help_text=_("Stored encrypted."))
    next_steps = serializers.CharField(
        max_length=10_000, allow_blank=True, default="", help_text=_("Stored encrypted.")
    )


class ClosureRequestSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Case.ClosureReason.choices)
    note = serializers.CharField(max_length=10_000)
    goals_met = serializers.BooleanField(
        help_text=_("Whether every goal of the case plan is met (the closure checklist).")
    )


class ClosureDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(
        max_length=10_000,
        allow_blank=True,
        default="",
        help_text=_("Required when the closure is not approved."),
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=10_000)


class RiskSerializer(ReasonSerializer):
    risk = serializers.ChoiceField(choices=Case.Risk.choices)


class ReassignSerializer(ReasonSerializer):
    caseworker = serializers.UUIDField(help_text=_("Id of a caseworker of the programme."))


class TransferSerializer(ReasonSerializer):
    organisation = serializers.UUIDField(help_text=_("Id of the organisation taking the case."))


class GatekeepingInputSerializer(serializers.Serializer):
    child = serializers.UUIDField(help_text=_("The case's child, or a member of its household."))
    proposed_care = serializers.ChoiceField(choices=FORMAL_CARE_CHOICES)
    necessity = serializers.CharField(max_length=10_000)
    suitability = serializers.CharField(max_length=10_000, allow_blank=True, default="")
    alternatives_considered = serializers.ListField(
        child=serializers.ChoiceField(choices=CareArrangement.Type.choices), default=list
    )
    alternatives_note = serializers.CharField(max_length=10_000, allow_blank=True, default="")
    decision = serializers.ChoiceField(choices=GatekeepingDecision.Decision.choices)
    decided_on = serializers.DateField()
    placement_place = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text=_("When a placement is made: the institution or place."),
    )


class CareChangeInputSerializer(serializers.Serializer):
    child = serializers.UUIDField()
    care_type = serializers.ChoiceField(choices=CareArrangement.Type.choices)
    started_on = serializers.DateField()
    place = serializers.CharField(max_length=200, allow_blank=True, default="")
    notes = serializers.CharField(max_length=10_000, allow_blank=True, default="")


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text=_("Default: 1 January this year."))
    end = serializers.DateField(required=False, help_text=_("Default: today."))
