"""REST API v1 for plans (routes in plans.api_urls): the same selectors and services as the pages.

A case outside the user's scope is a 404 whatever the method; reading a plan, or a case's list of
plan versions, is written to the audit log.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from oila.accounts.models import Organisation, User
from oila.assessments.api import CaseFilterSerializer, CaseScopedViewSet, NamedRefSerializer
from oila.assessments.models import Item
from oila.assessments.selectors import case_people
from oila.audit import services as audit
from oila.cases.models import Case
from oila.plans import selectors, services
from oila.plans.models import Action, Goal, Plan
from oila.registry.api.views import errors


def _ref(obj: Any, name: str) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": name} if obj is not None else None


class FactorSerializer(serializers.Serializer):
    instrument = serializers.CharField(source="instrument.code", read_only=True)
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True, help_text=_("In the request's language."))


class ActionSerializer(serializers.ModelSerializer):
    responsible_user = serializers.SerializerMethodField()
    responsible_organisation = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id", "description", "responsible_user", "responsible_organisation", "due_on", "status"
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_responsible_user(self, obj: Action) -> dict[str, Any] | None:
        user = obj.responsible_user
        return _ref(user, user.display_name) if user else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_responsible_organisation(self, obj: Action) -> dict[str, Any] | None:
        org = obj.responsible_organisation
        return _ref(org, org.name) if org else None


class GoalSerializer(serializers.ModelSerializer):
    factor = FactorSerializer(source="item", read_only=True, allow_null=True)
    person = serializers.SerializerMethodField()
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "text", "factor", "person", "status", "actions"]
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_person(self, obj: Goal) -> dict[str, Any] | None:
        return _ref(obj.person, obj.person.full_name) if obj.person else None


class PlanSerializer(serializers.ModelSerializer):
    """A version of a case's plan with its goals and their actions."""

    case = serializers.UUIDField(source="case_id", read_only=True)
    created_by = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id", "case", "version", "status", "review_on", "created_by", "created_at",
            "submitted_by", "submitted_at", "decided_by", "decided_at", "decision_comment", "goals",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer)
    def get_created_by(self, obj: Plan) -> dict[str, Any] | None:
        return _ref(obj.created_by, obj.created_by.display_name)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_submitted_by(self, obj: Plan) -> dict[str, Any] | None:
        return _ref(obj.submitted_by, obj.submitted_by.display_name) if obj.submitted_by else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_decided_by(self, obj: Plan) -> dict[str, Any] | None:
        return _ref(obj.decided_by, obj.decided_by.display_name) if obj.decided_by else None


class ActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    due_on = serializers.DateField()
    responsible_user = serializers.UUIDField(required=False, allow_null=True)
    responsible_organisation = serializers.UUIDField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("responsible_user")) == bool(attrs.get("responsible_organisation")):
            raise serializers.ValidationError(
                _("Give either responsible_user (a staff member) or responsible_organisation.")
            )
        return attrs


class GoalInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    item = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("The assessment item the goal answers.")
    )
    person = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("Omitted for a goal of the whole family.")
    )
    actions = ActionInputSerializer(many=True, required=False, default=list)


class PlanCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    review_on = serializers.DateField()
    goals = GoalInputSerializer(many=True, required=False, default=list)


DECISIONS = [("approve", "approve"), ("reject", "reject")]


class PlanDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DECISIONS)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when the plan is not approved."),
    )


def _actor(request: Request) -> User:
    return cast(User, request.user)


def _goals(case: Case, goals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ids in the request become records; an unknown one is a 400 naming the goal."""
    people = {str(p.pk): p for p in case_people(case=case)}
    out = []
    for i, goal in enumerate(goals):
        where = f"goals[{i}]"
        item = None
        if goal.get("item"):
            item = Item.objects.filter(pk=goal["item"]).first()
            if item is None:
                raise serializers.ValidationError({f"{where}.item": [_("No item with this id.")]})
        person = None
        if goal.get("person"):
            person = people.get(str(goal["person"]))
            if person is None:
                raise serializers.ValidationError(
                    {f"{where}.person": [_("Not one of the people this case is about.")]}
                )
        actions = []
        for j, act in enumerate(goal.get("actions") or []):
            data = {"description": act["description"], "due_on": act["due_on"]}
            if act.get("responsible_user"):
                data["responsible_user"] = User.objects.filter(pk=act["responsible_user"]).first()
            else:
                data["responsible_organisation"] = Organisation.objects.filter(
                    pk=act["responsible_organisation"]
                ).first()
            if not (data.get("responsible_user") or data.get("responsible_organisation")):
                raise serializers.ValidationError(
                    {f"{where}.actions[{j}]": [_("No staff member or agency with this id.")]}
                )
            actions.append(data)
        out.append({"text": goal["text"], "item": item, "person": person, "actions": actions})
    return out


@extend_schema_view(
    list=extend_schema(
        summary=_("List a case's plan versions"),
        description=_("Newest first, with goals and actions. The read is audited."),
        parameters=[CaseFilterSerializer],
        responses={200: PlanSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary=_("Get a plan version"),
        description=_("With its goals and their actions. The read is audited."),
        responses={200: PlanSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Start a plan (the next version) for a case"),
        description=_(
            "A draft with its goals, each with its actions (who: a staff member or a partner "
            "agency; a due date). Refused while another version is a draft or waiting for a "
            "decision. All or nothing."
        ),
        request=PlanCreateSerializer,
        responses={201: PlanSerializer, **errors(400, 401, 403, 404)},
    ),
)
class PlanViewSet(CaseScopedViewSet):
    def list(self, request: Request) -> Response:
        case = self.case_for(
            request, self.validated(CaseFilterSerializer, request.query_params)["case"]
        )
        audit.record_read(actor=request.user, target=case, action="plan.list")
        page = self.paginate_queryset(selectors.plan_list(user=request.user, case=case))
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        return Response(PlanSerializer(selectors.plan_get(user=request.user, plan_id=pk)).data)

    def create(self, request: Request) -> Response:
        data = self.validated(PlanCreateSerializer, request.data)
        case = self.case_for(request, data["case"])
        plan = services.plan_create(
            actor=_actor(request),
            case=case,
            review_on=data["review_on"],
            goals=_goals(case, data["goals"]),
        )
        return self._plan(request, plan, status=201)

    def _plan(self, request: Request, plan: Plan, status: int = 200) -> Response:
        plan = selectors.plan_get(user=request.user, plan_id=plan.pk, audit_read=False)
        location = reverse("plans_api:plan-detail", args=[plan.pk])
        return Response(PlanSerializer(plan).data, status=status, headers={"Location": location})

    @extend_schema(
        summary=_("Send a draft for approval"),
        description=_("Needs at least one goal, and every goal at least one action."),
        request=None,
        responses={200: PlanSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: uuid.UUID) -> Response:
        plan = selectors.plan_get(user=request.user, plan_id=pk, audit_read=False)
        return self._plan(request, services.plan_submit(actor=_actor(request), plan=plan))

    @extend_schema(
        summary=_("Approve or return a plan"),
        description=_(
            "For a supervisor of the case's team or a programme manager (403 otherwise). Nobody "
            "decides on a plan they sent for approval unless the programme allows it (400)."
        ),
        request=PlanDecisionSerializer,
        responses={200: PlanSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: uuid.UUID) -> Response:
        plan = selectors.plan_get(user=request.user, plan_id=pk, audit_read=False)
        data = self.validated(PlanDecisionSerializer, request.data)
        plan = services.plan_decide(
            actor=_actor(request),
            plan=plan,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        return self._plan(request, plan)

    @extend_schema(
        summary=_("Edit a decided plan"),
        description=_("Starts a new draft version with copies of its goals and actions."),
        request=None,
        responses={201: PlanSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: uuid.UUID) -> Response:
        plan = selectors.plan_get(user=request.user, plan_id=pk, audit_read=False)
        return self._plan(request, services.plan_revise(actor=_actor(request), plan=plan), 201)
