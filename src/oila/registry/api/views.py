"""REST API v1 views for households and people: the same services and selectors as the HTML pages.

Reads go through the selectors (visibility, query plans, read audit) and writes through the services
(rules, audit). A record out of the user's scope is a 404 whatever the method.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from oila.accounts.models import User
from oila.registry import selectors, services
from oila.registry.api.serializers import (
    DuplicatesSerializer,
    ErrorSerializer,
    HouseholdCreateSerializer,
    HouseholdFilterSerializer,
    HouseholdInputSerializer,
    HouseholdSerializer,
    HouseholdSummarySerializer,
    PersonCreateSerializer,
    PersonFilterSerializer,
    PersonInputSerializer,
    PersonSerializer,
    PersonSummarySerializer,
    candidate_data,
)
from oila.registry.matching import Candidate, EntryDecision, person_candidates
from oila.registry.models import Household, Person
from oila.registry.visibility import can_register

FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=_(
        "Invalid input: an object whose keys are field names (or `non_field_errors`) and whose "
        "values are lists of messages. Nothing was saved."
    ),
)
_ERRORS: dict[int, Any] = {
    400: FIELD_ERRORS,
    401: OpenApiResponse(ErrorSerializer, description=_("Not signed in.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Your role may not do this.")),
    404: OpenApiResponse(
        ErrorSerializer, description=_("No such record, or it is outside what you may see.")
    ),
    409: OpenApiResponse(
        DuplicatesSerializer,
        description=_(
            "Possible duplicates are already registered; nothing was saved. Send the same request "
            "again with `confirm_new: true` (a different person) or `link_to: <id>` (that person)."
        ),
    ),
}
DUPLICATES = _("Possible duplicates are already registered: confirm a new person or link one.")


def errors(*statuses: int) -> dict[int, Any]:
    return {status: _ERRORS[status] for status in statuses}


class MayRegister(BasePermission):
    """Creating is for roles that register families; a 403 on a collection reveals no record."""

    message = _("Your role does not allow registering or editing families.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(view, "action", None) != "create" or can_register(request.user)


class RegistryViewSet(viewsets.GenericViewSet):
    # Token first, so that an anonymous client gets 401 with a WWW-Authenticate header.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, MayRegister]
    parser_classes = [JSONParser]
    lookup_value_converter = "uuid"

    def validated(
        self, serializer_class: type[serializers.Serializer], data: Any, **kw: Any
    ) -> Any:
        serializer = serializer_class(data=data, context=self.get_serializer_context(), **kw)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


IDENTITY_FIELDS = ("given_name", "family_name", "patronymic", "sex", "birth_date", "pinfl")


def _identity_changes(person: Person, data: dict[str, Any]) -> bool:
    """Whether an update changes what identifies the person (then duplicates are looked for)."""
    return any(f in data and data[f] != getattr(person, f) for f in IDENTITY_FIELDS)


def _actor(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated has let only signed-in users through


def _household_body(household: Household) -> Any:
    enrolments = selectors.household_enrolments(household=household)
    return HouseholdSerializer(household, context={"enrolments": enrolments}).data


def _entry(
    request: Request,
    data: dict[str, Any],
    *,
    district: Any = None,
    exclude: Any = None,
    allow_link: bool = True,
) -> tuple[EntryDecision | None, list[Candidate]]:
    """The duplicate check at entry for one person: (the decision to pass to the service, or None;
    the candidates still waiting for a choice, which make a 409). Pops confirm_new and link_to."""
    confirm = data.pop("confirm_new", False)
    link_to = data.pop("link_to", None)
    if link_to is not None and not allow_link:
        raise serializers.ValidationError({"link_to": [_("Only when adding a person.")]})
    candidates = person_candidates(user=request.user, data=data, district=district, exclude=exclude)
    if link_to is not None:
        try:
            person = selectors.person_get(user=request.user, person_id=link_to, audit_read=False)
        except Http404:
            raise serializers.ValidationError({"link_to": [_("No person with this id.")]}) from None
        return EntryDecision("link", tuple(candidates), person=person), []
    if not candidates:
        return None, []
    if confirm:
        return EntryDecision("new", tuple(candidates)), []
    return None, candidates


def _duplicates(candidates: Any) -> Response:
    return Response({"detail": DUPLICATES, "candidates": candidates}, status=409)


def _check_members(members: list[dict[str, Any]]) -> None:
    """Every member's mistakes at once, keyed by position as DRF keys nested errors.

    Run before household_register, which is all-or-nothing anyway: this only gives the client the
    same error shape whether a member's data breaks a serializer check or a model rule.
    """
    problems: dict[str, Any] = {}
    for index, member in enumerate(members):
        skip = ("relationship", "group", "confirm_new", "link_to")
        person = {k: v for k, v in member.items() if k not in skip}
        try:
            services.person_validate(data=person)
        except DjangoValidationError as exc:
            problems[str(index)] = exc.message_dict
    if problems:
        raise serializers.ValidationError({"members": problems})


@extend_schema_view(
    list=extend_schema(
        summary=_("List households"),
        description=_("Households you may see, by name; filters combine. Summaries only."),
        parameters=[HouseholdFilterSerializer],
        responses={200: HouseholdSummarySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a household"),
        description=_("A household with its members and enrolments. The read is audited."),
        responses={200: HouseholdSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Register a household with its members"),
        description=_(
            "Registers the household and every member (each with a relationship to the head and "
            "an optional group to enrol in) in one step: when anything is wrong nothing is saved."
        ),
        request=HouseholdCreateSerializer,
        responses={201: HouseholdSerializer, **errors(400, 401, 403, 409)},
    ),
    update=extend_schema(
        summary=_("Replace a household's details"),
        description=_("Omitted optional fields are reset to their defaults."),
        request=HouseholdInputSerializer,
        responses={200: HouseholdSerializer, **errors(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary=_("Change some of a household's details"),
        description=_("Only the fields sent are changed."),
        request=HouseholdInputSerializer,
        responses={200: HouseholdSerializer, **errors(400, 401, 403, 404)},
    ),
)
class HouseholdViewSet(RegistryViewSet):
    """Households the signed-in user may see (members are managed through /people/)."""

    def list(self, request: Request) -> Response:
        filters = selectors.HouseholdFilters(
            **self.validated(HouseholdFilterSerializer, request.query_params)
        )
        page = self.paginate_queryset(selectors.household_list(user=request.user, filters=filters))
        return self.get_paginated_response(HouseholdSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        household = selectors.household_get(user=request.user, household_id=pk)
        return Response(_household_body(household))

    def create(self, request: Request) -> Response:
        data = self.validated(HouseholdCreateSerializer, request.data)
        members = data.pop("members")
        programme = data.pop("programme", None)
        _check_members(members)
        waiting = {}
        for index, member in enumerate(members):
            decision, candidates = _entry(request, member, district=data["district"])
            if candidates:
                waiting[str(index)] = [candidate_data(c) for c in candidates]
            elif decision is not None:
                member["entry"] = decision
        if waiting:
            return _duplicates(waiting)
        household = services.household_register(
            actor=_actor(request), data=data, members=members, programme=programme
        )
        household = selectors.household_get(
            user=request.user, household_id=household.pk, audit_read=False
        )
        location = reverse("registry_api:household-detail", args=[household.pk])
        return Response(_household_body(household), status=201, headers={"Location": location})

    def update(self, request: Request, pk: uuid.UUID, partial: bool = False) -> Response:
        # Visibility first: an out-of-scope id is a 404 whatever the body holds.
        household = selectors.household_get(user=request.user, household_id=pk, audit_read=False)
        data = self.validated(HouseholdInputSerializer, request.data, partial=partial)
        household = services.household_update(actor=_actor(request), household=household, data=data)
        return Response(_household_body(household))

    def partial_update(self, request: Request, pk: uuid.UUID) -> Response:
        return self.update(request, pk, partial=True)


@extend_schema_view(
    list=extend_schema(
        summary=_("List people"),
        description=_(
            "People you may see, by name (either script) or exact PINFL. Summaries only."
        ),
        parameters=[PersonFilterSerializer],
        responses={200: PersonSummarySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a person"),
        description=_("A person with their households and enrolments. The read is audited."),
        responses={200: PersonSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Register a person in a household"),
        description=_(
            "The person takes the household's programme, team and caseworker. With `link_to`, "
            "the existing person joins the household instead (200)."
        ),
        request=PersonCreateSerializer,
        responses={
            201: PersonSerializer,
            200: PersonSerializer,
            **errors(400, 401, 403, 409),
        },
    ),
    update=extend_schema(
        summary=_("Replace a person's details"),
        description=_(
            "Omitted optional fields are reset to their defaults, except `pinfl`, which is only "
            "changed when sent."
        ),
        request=PersonInputSerializer,
        responses={200: PersonSerializer, **errors(400, 401, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary=_("Change some of a person's details"),
        description=_("Only the fields sent are changed."),
        request=PersonInputSerializer,
        responses={200: PersonSerializer, **errors(400, 401, 403, 404, 409)},
    ),
)
class PersonViewSet(RegistryViewSet):
    """People the signed-in user may see."""

    def list(self, request: Request) -> Response:
        filters = self.validated(PersonFilterSerializer, request.query_params)
        people = selectors.person_list(user=request.user, **filters)
        page = self.paginate_queryset(people)
        return self.get_paginated_response(PersonSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        person = selectors.person_get(user=request.user, person_id=pk)
        return Response(PersonSerializer(person).data)

    def create(self, request: Request) -> Response:
        data = self.validated(PersonCreateSerializer, request.data)
        household_id = data.pop("household")
        relationship = data.pop("relationship")
        started_on = data.pop("started_on", None)
        try:
            household = selectors.household_get(
                user=request.user, household_id=household_id, audit_read=False
            )
        except Http404:
            # The same answer for "does not exist" and "not yours": nothing is confirmed.
            raise serializers.ValidationError(
                {"household": [_("No household with this id.")]}
            ) from None
        decision, candidates = _entry(request, data, district=household.district_id)
        if candidates:
            return _duplicates([candidate_data(c) for c in candidates])
        person = services.household_member_add(
            actor=_actor(request),
            household=household,
            member={**data, "relationship": relationship, "entry": decision},
            started_on=started_on,
        )
        person = selectors.person_get(user=request.user, person_id=person.pk, audit_read=False)
        location = reverse("registry_api:person-detail", args=[person.pk])
        linked = decision is not None and decision.choice == "link"
        return Response(
            PersonSerializer(person).data,
            status=200 if linked else 201,
            headers={"Location": location},
        )

    def update(self, request: Request, pk: uuid.UUID, partial: bool = False) -> Response:
        person = selectors.person_get(user=request.user, person_id=pk, audit_read=False)
        data = self.validated(PersonInputSerializer, request.data, partial=partial)
        decision = None
        if _identity_changes(person, data):
            probe = {f: data.get(f, getattr(person, f)) for f in IDENTITY_FIELDS}
            probe["confirm_new"] = data.pop("confirm_new", False)
            decision, candidates = _entry(request, probe, exclude=person, allow_link=False)
            if candidates:
                return _duplicates([candidate_data(c) for c in candidates])
        data.pop("confirm_new", None)
        person = services.person_update(
            actor=_actor(request), person=person, data=data, entry=decision
        )
        return Response(PersonSerializer(person).data)

    def partial_update(self, request: Request, pk: uuid.UUID) -> Response:
        return self.update(request, pk, partial=True)
