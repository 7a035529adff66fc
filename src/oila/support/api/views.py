"""REST API v1 for services and referrals (routes in support.api_urls): the same selectors and
services as the pages.

- `/service-types/`: the catalogue of the user's programmes (a partner: what its agency offers).
- `/deliveries/` and `/referrals/`: the programme staff's, scoped by the cases they see (404 out of
  scope); reading one is audited.
- `/partner/referrals/`: a partner focal point's inbox, with only the fields the programme shares;
  reading one is audited, and so is reading the list.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from oila.accounts.models import Organisation, User
from oila.cases.models import Case
from oila.cases.selectors import case_children, case_get
from oila.plans.models import Action
from oila.registry.api.views import RegistryViewSet, errors
from oila.support import selectors, services
from oila.support.api.serializers import (
    DeclineSerializer,
    DeliveryCreateSerializer,
    DeliveryFilterSerializer,
    DeliverySerializer,
    DeliverySummarySerializer,
    PartnerFilterSerializer,
    PartnerReferralSerializer,
    ReferralCreateSerializer,
    ReferralFilterSerializer,
    ReferralSerializer,
    ReferralSummarySerializer,
    ReportSerializer,
    ServiceTypeSerializer,
)
from oila.support.models import Referral, ServiceDelivery, ServiceType


def _actor(request: Request) -> User:
    return cast(User, request.user)


def _unknown(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [_("No record with this id that you may use.")]})


def _case(request: Request, case_id: Any) -> Case:
    try:
        return case_get(user=request.user, case_id=case_id, audit_read=False)
    except Http404:  # the same answer for "no such case" and "not yours"
        raise NotFound(_("No case with this id, or it is outside what you may see.")) from None


def _organisation(pk: Any, field: str) -> Organisation | None:
    if not pk:
        return None
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise _unknown(field)
    return found


def _service_type(request: Request, pk: Any) -> ServiceType:
    try:
        return selectors.service_type_get(user=request.user, service_type_id=pk)
    except Http404:
        raise _unknown("service_type") from None


def _plan_action(case: Case | None, pk: Any) -> Action | None:
    if not pk:
        return None
    found = selectors.open_plan_actions(case=case).filter(pk=pk).first() if case else None
    if found is None:
        raise _unknown("plan_action")
    return found


class SupportViewSet(RegistryViewSet):
    """Staff endpoints: any signed-in user reads (and sees what their role sees); creating is for
    the roles that record services and make referrals (403 otherwise)."""


@extend_schema_view(
    list=extend_schema(
        summary=_("List service types"),
        description=_(
            "The service catalogue of the user's programmes (for a partner focal point: the "
            "services its agency offers). Names in the request's language and in every language."
        ),
        responses={200: ServiceTypeSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a service type"),
        responses={200: ServiceTypeSerializer, **errors(401, 404)},
    ),
)
class ServiceTypeViewSet(SupportViewSet):
    permission_classes = [IsAuthenticated]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.service_type_list(user=request.user))
        return self.get_paginated_response(ServiceTypeSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        service_type = selectors.service_type_get(user=request.user, service_type_id=pk)
        return Response(ServiceTypeSerializer(service_type).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("List services delivered"),
        description=_("Newest first, with how many attended; without notes or attendance lists."),
        parameters=[DeliveryFilterSerializer],
        responses={200: DeliverySummarySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a service delivery"),
        description=_("With its attendance list and notes. The read is audited."),
        responses={200: DeliverySerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Record a service"),
        description=_(
            "An individual session (one person) or a group session (its attendance list), on a "
            "case or not. Everyone on the list must be someone the user may see and enrolled in "
            "the programme; an agency that provided it must offer the service. A plan action "
            "given is marked done. When anything is wrong nothing is saved."
        ),
        request=DeliveryCreateSerializer,
        responses={201: DeliverySerializer, **errors(400, 401, 403, 404)},
    ),
)
class DeliveryViewSet(SupportViewSet):
    def list(self, request: Request) -> Response:
        data = self.validated(DeliveryFilterSerializer, request.query_params)
        filters = selectors.DeliveryFilters(
            case=_case(request, data["case"]) if data.get("case") else None,
            kind=data.get("kind", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
        page = self.paginate_queryset(selectors.delivery_list(user=request.user, filters=filters))
        return self.get_paginated_response(DeliverySummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        delivery = selectors.delivery_get(user=request.user, delivery_id=pk)
        return Response(DeliverySerializer(delivery).data)

    def create(self, request: Request) -> Response:
        data = self.validated(DeliveryCreateSerializer, request.data)
        case = _case(request, data["case"]) if data.get("case") else None
        provider_user = None
        if data.get("provider_user"):
            provider_user = User.objects.filter(pk=data["provider_user"]).first()
            if provider_user is None:
                raise _unknown("provider_user")
        attendance = data["attendance"]
        delivery = services.delivery_record(
            actor=_actor(request),
            service_type=_service_type(request, data["service_type"]),
            kind=data["kind"],
            delivered_on=data["delivered_on"],
            attended=[row["person"] for row in attendance if row["attended"]],
            absent=[row["person"] for row in attendance if not row["attended"]],
            case=case,
            provider_user=provider_user,
            provider_organisation=_organisation(
                data.get("provider_organisation"), "provider_organisation"
            ),
            duration_minutes=data.get("duration_minutes"),
            quantity=data.get("quantity"),
            cost_uzs=data.get("cost_uzs"),
            notes=data["notes"],
            plan_action=_plan_action(case, data.get("plan_action")),
        )
        return self._delivery(request, delivery, status=201)

    def _delivery(self, request: Request, delivery: ServiceDelivery, status: int) -> Response:
        delivery = selectors.delivery_get(
            user=request.user, delivery_id=delivery.pk, audit_read=False
        )
        location = reverse("support_api:delivery-detail", args=[delivery.pk])
        return Response(
            DeliverySerializer(delivery).data, status=status, headers={"Location": location}
        )


@extend_schema_view(
    list=extend_schema(
        summary=_("List referrals"),
        description=_(
            "Referrals of the cases the user may see, newest first, without their narratives. "
            "Partner focal points use /partner/referrals/ (they get an empty list here)."
        ),
        parameters=[ReferralFilterSerializer],
        responses={200: ReferralSummarySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a referral"),
        description=_(
            "With its reason, consent or override, and the answers. The read is audited."
        ),
        responses={200: ReferralSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Make a referral"),
        description=_(
            "Refers one of a case's people, or its household, to an agency that offers the "
            "service. Refused (400, under `consent`) without a current consent to share "
            "information, unless a supervisor or programme manager gives `override_reason` "
            "(audited). The answer is due after the programme's number of days for the urgency."
        ),
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer, **errors(400, 401, 403, 404)},
    ),
)
class ReferralViewSet(SupportViewSet):
    def list(self, request: Request) -> Response:
        data = self.validated(ReferralFilterSerializer, request.query_params)
        filters = selectors.ReferralFilters(
            case=_case(request, data["case"]) if data.get("case") else None,
            status=data.get("status", ""),
            overdue=data["overdue"],
        )
        page = self.paginate_queryset(selectors.referral_list(user=request.user, filters=filters))
        return self.get_paginated_response(ReferralSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        return Response(
            ReferralSerializer(selectors.referral_get(user=request.user, referral_id=pk)).data
        )

    def create(self, request: Request) -> Response:
        data = self.validated(ReferralCreateSerializer, request.data)
        case = _case(request, data["case"])
        person = None
        if data.get("person"):
            person = next((p for p in case_children(case=case) if p.pk == data["person"]), None)
            if person is None:
                raise serializers.ValidationError(
                    {"person": [_("Not one of the people this case is about.")]}
                )
        household = None
        if data.get("household"):
            if data["household"] != case.household_id:
                raise serializers.ValidationError({"household": [_("Not the case's household.")]})
            household = case.household
        to_organisation = _organisation(data["to_organisation"], "to_organisation")
        assert to_organisation is not None
        referral = services.referral_create(
            actor=_actor(request),
            case=case,
            person=person,
            household=household,
            service_type=_service_type(request, data["service_type"]),
            to_organisation=to_organisation,
            from_organisation=_organisation(data.get("from_organisation"), "from_organisation"),
            urgency=data["urgency"],
            reason=data["reason"],
            plan_action=_plan_action(case, data.get("plan_action")),
            override_reason=data["override_reason"],
        )
        return self._referral(request, referral, status=201)

    def _referral(self, request: Request, referral: Referral, status: int = 200) -> Response:
        referral = selectors.referral_get(
            user=request.user, referral_id=referral.pk, audit_read=False
        )
        location = reverse("support_api:referral-detail", args=[referral.pk])
        return Response(
            ReferralSerializer(referral).data, status=status, headers={"Location": location}
        )

    def _get(self, request: Request, pk: Any) -> Referral:
        return selectors.referral_get(user=request.user, referral_id=pk, audit_read=False)

    @extend_schema(
        summary=_("Record that the agency accepted"),
        description=_(
            "For an agency without a focal point in oila; its focal points use /partner/."
        ),
        request=None,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: uuid.UUID) -> Response:
        referral = services.referral_accept(actor=_actor(request), referral=self._get(request, pk))
        return self._referral(request, referral)

    @extend_schema(
        summary=_("Record that the agency declined"),
        request=DeclineSerializer,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: uuid.UUID) -> Response:
        referral = self._get(request, pk)
        data = self.validated(DeclineSerializer, request.data)
        referral = services.referral_decline(
            actor=_actor(request), referral=referral, reason=data["reason"]
        )
        return self._referral(request, referral)

    @extend_schema(
        summary=_("Record the agency's report"),
        description=_(
            "Completed or not, with feedback; completing marks the linked plan action done."
        ),
        request=ReportSerializer,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: uuid.UUID) -> Response:
        referral = self._get(request, pk)
        data = self.validated(ReportSerializer, request.data)
        referral = services.referral_report(
            actor=_actor(request),
            referral=referral,
            completed=data["outcome"] == "completed",
            feedback=data["feedback"],
        )
        return self._referral(request, referral)


@extend_schema_view(
    list=extend_schema(
        summary=_("List the referrals to my agency"),
        description=_(
            "For partner focal points: the referrals addressed to their agency, newest first, "
            "with only the fields the programme shares. Other roles get an empty list. The read "
            "is audited."
        ),
        parameters=[PartnerFilterSerializer],
        responses={200: PartnerReferralSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a referral to my agency"),
        description=_("Only the fields the programme shares. The read is audited."),
        responses={200: PartnerReferralSerializer, **errors(401, 404)},
    ),
)
class PartnerReferralViewSet(SupportViewSet):
    permission_classes = [IsAuthenticated]

    def list(self, request: Request) -> Response:
        data = self.validated(PartnerFilterSerializer, request.query_params)
        referrals = selectors.partner_referral_list(
            user=request.user, status=data.get("status", ""), overdue=data["overdue"]
        )
        page = self.paginate_queryset(referrals)  # type: ignore[arg-type]
        return self.get_paginated_response(PartnerReferralSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        shared = selectors.partner_referral_detail(user=request.user, referral_id=pk)
        return Response(PartnerReferralSerializer(shared).data)

    def _answered(self, request: Request, referral: Referral) -> Response:
        shared = selectors.partner_referral_detail(
            user=request.user, referral_id=referral.pk, audit_read=False
        )
        return Response(PartnerReferralSerializer(shared).data)

    def _get(self, request: Request, pk: Any) -> Referral:
        return selectors.partner_referral_get(user=request.user, referral_id=pk)

    @extend_schema(
        summary=_("Accept a referral"),
        request=None,
        responses={200: PartnerReferralSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: uuid.UUID) -> Response:
        referral = services.referral_accept(actor=_actor(request), referral=self._get(request, pk))
        return self._answered(request, referral)

    @extend_schema(
        summary=_("Decline a referral"),
        request=DeclineSerializer,
        responses={200: PartnerReferralSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: uuid.UUID) -> Response:
        referral = self._get(request, pk)
        data = self.validated(DeclineSerializer, request.data)
        referral = services.referral_decline(
            actor=_actor(request), referral=referral, reason=data["reason"]
        )
        return self._answered(request, referral)

    @extend_schema(
        summary=_("Report back on an accepted referral"),
        description=_("Completed or not, with feedback."),
        request=ReportSerializer,
        responses={200: PartnerReferralSerializer, **errors(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: uuid.UUID) -> Response:
        referral = self._get(request, pk)
        data = self.validated(ReportSerializer, request.data)
        referral = services.referral_report(
            actor=_actor(request),
            referral=referral,
            completed=data["outcome"] == "completed",
            feedback=data["feedback"],
        )
        return self._answered(request, referral)
