"""REST API v1 of cases: the same selectors and services as the case pages.

A case out of the user's scope is a 404 whatever the method; an id in a request body that the user
may not see (a household, a child, a caseworker) is a 400 that confirms nothing.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any, cast

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from oila.accounts.models import Organisation, User
from oila.cases import selectors, services
from oila.cases.api.serializers import (
    AlternativeCareReportSerializer,
    CareChangeInputSerializer,
    CaseCareArrangementSerializer,
    CaseCreateSerializer,
    CaseFilterSerializer,
    CaseSerializer,
    CaseSummarySerializer,
    ClosureDecisionSerializer,
    ClosureRequestSerializer,
    DueItemsSerializer,
    GatekeepingInputSerializer,
    GatekeepingSerializer,
    PeriodSerializer,
    ReasonSerializer,
    ReassignSerializer,
    RiskSerializer,
    TransferSerializer,
    VisitInputSerializer,
    VisitSerializer,
)
from oila.cases.models import Case
from oila.cases.visibility import supervises_cases
from oila.common.dates import today
from oila.registry import selectors as registry
from oila.registry.api.views import RegistryViewSet, errors
from oila.registry.models import Person


def _actor(request: Request) -> User:
    return cast(User, request.user)


def _unknown(field: str) -> serializers.ValidationError:
    # The same answer for "does not exist" and "not yours": nothing is confirmed.
    return serializers.ValidationError({field: [_("No record with this id that you may use.")]})


def _case_body(case: Case) -> Any:
    return CaseSerializer(case).data


def _child(case: Case, child_id: uuid.UUID) -> Person:
    child = selectors.case_children(case=case).filter(pk=child_id).first()
    if child is None:
        raise _unknown("child")
    return child


class CaseViewSetBase(RegistryViewSet):
    def case(self, request: Request, pk: Any) -> Case:
        """The case for an action: 404 out of scope; the service writes the audit event."""
        return selectors.case_get(user=request.user, case_id=pk, audit_read=False)

    def refreshed(self, request: Request, case: Case) -> Response:
        """The case as it is after an action (a reassignment may have moved it out of the
        actor's scope: they still get what they just changed, and nothing more afterwards)."""
        with contextlib.suppress(Http404):
            case = selectors.case_get(user=request.user, case_id=case.pk, audit_read=False)
        return Response(_case_body(case))


@extend_schema_view(
    list=extend_schema(
        summary=_("List cases"),
        description=_("Cases you may see; filters combine. Summaries only."),
        parameters=[CaseFilterSerializer],
        responses={200: CaseSummarySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a case"),
        description=_("A case with its deadlines and timeline. The read is audited."),
        responses={200: CaseSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Open a case"),
        description=_(
            "Opens a family case (a household) or a child-protection case (one of its children). "
            "The number, the team and the deadlines follow from the programme's settings."
        ),
        request=CaseCreateSerializer,
        responses={201: CaseSerializer, **errors(400, 401, 403)},
    ),
)
class CaseViewSet(CaseViewSetBase):
    """Cases the signed-in user may see, and what is done to them."""

    def list(self, request: Request) -> Response:
        data = self.validated(CaseFilterSerializer, request.query_params)
        filters = selectors.CaseFilters(
            status=data.get("status", ""),
            risk=data.get("risk", ""),
            step=data.get("step"),
            kind=data.get("kind", ""),
            overdue=data.get("overdue", False),
            q=data.get("q", ""),
        )
        page = self.paginate_queryset(selectors.case_list(user=request.user, filters=filters))
        return self.get_paginated_response(CaseSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        return Response(_case_body(selectors.case_get(user=request.user, case_id=pk)))

    def create(self, request: Request) -> Response:
        data = self.validated(CaseCreateSerializer, request.data)
        try:
            household = registry.household_get(
                user=request.user, household_id=data["household"], audit_read=False
            )
        except Http404:
            raise _unknown("household") from None
        subject = None
        if data.get("subject"):
            subject = (
                registry.person_list(user=request.user)
                .filter(
                    pk=data["subject"],
                    memberships__household=household,
                    memberships__ended_on__isnull=True,
                )
                .first()
            )
            if subject is None:
                raise _unknown("subject")
        caseworker = None
        if data.get("caseworker"):
            caseworker = (
                selectors.caseworker_choices(programme_id=household.programme_id)
                .filter(pk=data["caseworker"])
                .first()
            )
            if caseworker is None:
                raise _unknown("caseworker")
        case = services.case_open(
            actor=_actor(request),
            household=household,
            kind=data["kind"],
            risk=data["risk"],
            subject=subject,
            identified_at=data.get("identified_at"),
            caseworker=caseworker,
        )
        case = selectors.case_get(user=request.user, case_id=case.pk, audit_read=False)
        location = reverse("cases_api:case-detail", args=[case.pk])
        return Response(_case_body(case), status=201, headers={"Location": location})

    @extend_schema(
        methods=["GET"],
        summary=_("List a case's visits and notes"),
        description=_("Narratives included; the read is audited."),
        responses={200: VisitSerializer(many=True), **errors(401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Record a visit or note"),
        description=_("A visit (not a phone call) moves the next visit's deadline."),
        request=VisitInputSerializer,
        responses={201: VisitSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # all of them, one list
    def visits(self, request: Request, pk: uuid.UUID) -> Response:
        if request.method == "GET":
            _case, visits = selectors.case_visits(user=request.user, case_id=pk)
            return Response(VisitSerializer(visits, many=True).data)
        case = self.case(request, pk)
        data = self.validated(VisitInputSerializer, request.data)
        visit = services.visit_record(actor=_actor(request), case=case, **data)
        return Response(VisitSerializer(visit).data, status=201)

    @extend_schema(
        summary=_("Change the risk level"),
        request=RiskSerializer,
        responses={200: CaseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def risk(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(RiskSerializer, request.data)
        services.case_set_risk(actor=_actor(request), case=case, **data)
        return self.refreshed(request, case)

    @extend_schema(
        summary=_("Request the closure of a case"),
        description=_(
            "Asks the team's supervisors to approve. `goals_met` is the plan's goal checklist: "
            "the reason `goals_met` needs it true."
        ),
        request=ClosureRequestSerializer,
        responses={200: CaseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="closure-request")
    def closure_request(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(ClosureRequestSerializer, request.data)
        services.case_closure_request(actor=_actor(request), case=case, **data)
        return self.refreshed(request, case)

    @extend_schema(
        summary=_("Decide on a requested closure"),
        description=_(
            "For a supervisor of the case's team, who may not approve a closure they requested "
            "(unless the programme allows it). Approving a family case closed because its goals "
            "were met graduates the family."
        ),
        request=ClosureDecisionSerializer,
        responses={200: CaseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="closure-decision")
    def closure_decision(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(ClosureDecisionSerializer, request.data)
        services.case_closure_decide(actor=_actor(request), case=case, **data)
        return self.refreshed(request, case)

    @extend_schema(
        summary=_("Reopen a closed or transferred case"),
        request=ReasonSerializer,
        responses={200: CaseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(ReasonSerializer, request.data)
        services.case_reopen(actor=_actor(request), case=case, **data)
        return self.refreshed(request, case)

    @extend_schema(
        summary=_("Reassign a case to another caseworker"),
        description=_("For a supervisor of the case's team; the new caseworker is notified."),
        request=ReassignSerializer,
        responses={200: CaseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(ReassignSerializer, request.data)
        caseworker = (
            selectors.caseworker_choices(programme_id=case.programme_id)
            .filter(pk=data["caseworker"])
            .first()
        )
        if caseworker is None:
            raise _unknown("caseworker")
        services.case_reassign(
            actor=_actor(request), case=case, caseworker=caseworker, reason=data["reason"]
        )
        return self.refreshed(request, case)

    @extend_schema(
        summary=_("Transfer a case to another organisation"),
        description=_(
            "Needs a current information-sharing consent of the child (child-protection case) "
            "or of an adult caregiver of the household (family case)."
        ),
        request=TransferSerializer,
        responses={200: CaseSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(TransferSerializer, request.data)
        organisation = Organisation.objects.filter(pk=data["organisation"]).first()
        if organisation is None:
            raise _unknown("organisation")
        services.case_transfer(
            actor=_actor(request), case=case, organisation=organisation, reason=data["reason"]
        )
        return self.refreshed(request, case)

    @extend_schema(
        summary=_("Record a gatekeeping decision"),
        description=_(
            "Necessity, suitability and the alternatives considered; a placement made is "
            "recorded as the child's care arrangement."
        ),
        request=GatekeepingInputSerializer,
        responses={201: GatekeepingSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def gatekeeping(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(GatekeepingInputSerializer, request.data)
        data["child"] = _child(case, data["child"])
        record = services.gatekeeping_record(actor=_actor(request), case=case, **data)
        return Response(GatekeepingSerializer(record).data, status=201)

    @extend_schema(
        summary=_("Record a change of care"),
        description=_(
            "A reunification or a move from residential to family-based care. A placement into "
            "formal care is recorded with a gatekeeping decision instead."
        ),
        request=CareChangeInputSerializer,
        responses={201: CaseCareArrangementSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="care-changes")
    def care_changes(self, request: Request, pk: uuid.UUID) -> Response:
        case = self.case(request, pk)
        data = self.validated(CareChangeInputSerializer, request.data)
        data["child"] = _child(case, data["child"])
        arrangement = services.care_change_record(actor=_actor(request), case=case, **data)
        return Response(CaseCareArrangementSerializer(arrangement).data, status=201)


class SingleObjectSchema(AutoSchema):
    """The `list` of a viewset that answers one object (not a list) in the OpenAPI description."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class DueViewSet(CaseViewSetBase):
    pagination_class = None  # one object of three lists, not a page of items
    schema = SingleObjectSchema()

    @extend_schema(
        summary=_("What is due"),
        description=_(
            "Your overdue deadlines, those due today and those due in the next six days, from "
            "the open cases you may see (placement reviews included)."
        ),
        responses={200: DueItemsSerializer, **errors(401)},
    )
    def list(self, request: Request) -> Response:
        due = selectors.due_items(user=request.user, today=today())
        return Response(DueItemsSerializer(due).data)


class AlternativeCareReportViewSet(CaseViewSetBase):
    pagination_class = None  # one report object, not a page of items
    schema = SingleObjectSchema()

    @extend_schema(
        summary=_("Alternative-care report"),
        description=_(
            "Per month: placements made and prevented, reunifications and moves from residential "
            "to family-based care, for the children you may see. Supervisors and managers only."
        ),
        parameters=[PeriodSerializer],
        responses={200: AlternativeCareReportSerializer, **errors(400, 401, 404)},
    )
    def list(self, request: Request) -> Response:
        if not supervises_cases(request.user):
            raise NotFound
        data = self.validated(PeriodSerializer, request.query_params)
        end = data.get("end") or today()
        start = data.get("start") or end.replace(month=1, day=1)
        if start > end:
            raise serializers.ValidationError({"start": [_("The start is after the end.")]})
        report = selectors.alternative_care_report(user=request.user, start=start, end=end)
        return Response(AlternativeCareReportSerializer(report).data)
