"""REST API v1 for youth employability (routes in youth.api_urls): the same selectors and services
as the pages.

A young person outside the user's scope is a 404 whatever the method. Every read is written to the
audit log: a record's read as a read of that record, a list as one read event per request.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from oila.accounts.models import Organisation, User
from oila.assessments.api import NamedRefSerializer
from oila.audit import services as audit
from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.registry.api.views import RegistryViewSet, errors
from oila.registry.models import Person
from oila.youth import selectors, services
from oila.youth.models import FollowUp, Placement, YouthTraining

FOLLOW_UP_DUE = [
    ("open", "open"),
    ("overdue", "overdue"),
    ("today", "today"),
    ("week", "week"),
    ("done", "done"),
]


def _ref(obj: Any, name: str) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": name} if obj is not None else None


def _actor(request: Request) -> User:
    return cast(User, request.user)


# ---------------------------------------------------------------------------------------------------
# Serializers


class YouthTrainingSerializer(serializers.ModelSerializer):
    """A young person's course with a training provider."""

    person = serializers.SerializerMethodField()
    provider = serializers.SerializerMethodField()

    class Meta:
        model = YouthTraining
        fields = [
            "id", "person", "kind", "provider", "course", "starts_on", "ends_on", "completed",
            "completed_on", "certificate_number", "certificate_issued_on", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer)
    def get_person(self, obj: YouthTraining) -> dict[str, Any] | None:
        return _ref(obj.person, obj.person.full_name)

    @extend_schema_field(NamedRefSerializer)
    def get_provider(self, obj: YouthTraining) -> dict[str, Any] | None:
        return _ref(obj.provider, obj.provider.name)


class YouthTrainingCreateSerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text=_("A young person (15–24) in the youth group."))
    kind = serializers.ChoiceField(choices=YouthTraining.Kind.choices)
    provider = serializers.UUIDField(help_text=_("An organisation of type training centre."))
    course = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class YouthTrainingCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField()
    certificate_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    certificate_issued_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Defaults to the completion date when a certificate number is given."),
    )


class FollowUpSerializer(serializers.ModelSerializer):
    """A follow-up of a placement, without its note."""

    placement = serializers.UUIDField(source="placement_id", read_only=True)
    person = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id", "placement", "person", "month", "due_on", "done_on", "still_working",
            "monthly_wage_uzs",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer)
    def get_person(self, obj: FollowUp) -> dict[str, Any] | None:
        person = obj.placement.person
        return _ref(person, person.full_name)


class FollowUpDetailSerializer(FollowUpSerializer):
    """A follow-up with its note (reading it is recorded in the audit log)."""

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "note"]
        read_only_fields = fields


class PlacementFollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "month", "due_on", "done_on", "still_working", "monthly_wage_uzs"]
        read_only_fields = fields


class PlacementSerializer(serializers.ModelSerializer):
    """A job or self-employment with its follow-ups (3, 6 and 12 months by default)."""

    person = serializers.SerializerMethodField()
    employer = serializers.SerializerMethodField()
    training = serializers.UUIDField(source="training_id", read_only=True, allow_null=True)
    follow_ups = PlacementFollowUpSerializer(many=True, read_only=True)
    # Declared so that the description allows the empty value (a self-employed young person has
    # no contract): read-only model fields lose allow_blank.
    contract_type = serializers.ChoiceField(
        choices=Placement.Contract.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Placement
        fields = [
            "id", "person", "kind", "employer", "training", "position", "starts_on",
            "contract_type", "monthly_wage_uzs", "ended_on", "follow_ups", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer)
    def get_person(self, obj: Placement) -> dict[str, Any] | None:
        return _ref(obj.person, obj.person.full_name)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_employer(self, obj: Placement) -> dict[str, Any] | None:
        return _ref(obj.employer, obj.employer.name) if obj.employer else None


class PlacementCreateSerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text=_("A young person (15–24) in the youth group."))
    kind = serializers.ChoiceField(choices=Placement.Kind.choices)
    employer = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("An organisation of type employer; required for employment."),
    )
    training = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The young person's training that led to this work, if any."),
    )
    position = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    contract_type = serializers.ChoiceField(
        choices=Placement.Contract.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required for employment; not used for self-employment."),
    )
    monthly_wage_uzs = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Net monthly pay in UZS (0 or more)."),
    )


class PlacementEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()


class FollowUpRecordSerializer(serializers.Serializer):
    done_on = serializers.DateField(help_text=_("Not before the placement started."))
    still_working = serializers.BooleanField()
    monthly_wage_uzs = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PersonFilterSerializer(serializers.Serializer):
    person = serializers.UUIDField(required=False, help_text=_("Only this young person's records."))


class FollowUpFilterSerializer(PersonFilterSerializer):
    due = serializers.ChoiceField(
        choices=FOLLOW_UP_DUE,
        required=False,
        help_text=_(
            "open: not done yet; overdue: open and due before today; today: due today; week: due "
            "in the next six days; done: recorded."
        ),
    )


# ---------------------------------------------------------------------------------------------------
# Views


class YouthViewSet(RegistryViewSet):
    """Any signed-in user may call; what they reach is the young people they may see."""

    def person_for(self, request: Request, person_id: Any) -> Person:
        try:
            return selectors.youth_person_get(
                user=request.user, person_id=person_id, audit_read=False
            )
        except Http404:  # the same answer for "no such person" and "not yours"
            raise NotFound(
                _("No young person with this id, or they are outside what you may see.")
            ) from None

    def filtered_person(self, request: Request, filters: dict[str, Any]) -> Person | None:
        return self.person_for(request, filters["person"]) if filters.get("person") else None

    def audit_list(
        self, request: Request, action: str, person: Person | None, **extra: Any
    ) -> None:
        audit.record(
            actor=request.user,
            action=action,
            target=person,
            after={k: v for k, v in extra.items() if v} or None,
            kind=AuditEvent.Kind.READ,
        )

    @staticmethod
    def organisation(pk: Any, field: str) -> Organisation | None:
        if pk is None:
            return None
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None:
            raise serializers.ValidationError({field: [_("No organisation with this id.")]})
        return organisation


@extend_schema_view(
    list=extend_schema(
        summary=_("List young people's trainings"),
        description=_("Of the young people you may see, newest first. The read is audited."),
        parameters=[PersonFilterSerializer],
        responses={200: YouthTrainingSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary=_("Get a young person's training"),
        description=_("The read is audited."),
        responses={200: YouthTrainingSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Enrol a young person in a training course"),
        description=_(
            "The young person must be 15 to 24 on the start date and enrolled (active) in the "
            "programme's youth group; the provider must be a training centre. Nothing is saved "
            "when anything is wrong."
        ),
        request=YouthTrainingCreateSerializer,
        responses={201: YouthTrainingSerializer, **errors(400, 401, 403, 404)},
    ),
)
class YouthTrainingViewSet(YouthViewSet):
    def list(self, request: Request) -> Response:
        filters = self.validated(PersonFilterSerializer, request.query_params)
        person = self.filtered_person(request, filters)
        self.audit_list(request, "youth.training.list", person)
        qs = selectors.training_list(user=request.user, person=person)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(YouthTrainingSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        training = selectors.training_get(user=request.user, training_id=pk)
        audit.record_read(actor=request.user, target=training, action="youth.training.view")
        return Response(YouthTrainingSerializer(training).data)

    def create(self, request: Request) -> Response:
        data = self.validated(YouthTrainingCreateSerializer, request.data)
        person = self.person_for(request, data.pop("person"))
        data["provider"] = self.organisation(data["provider"], "provider")
        training = services.youth_training_create(actor=_actor(request), person=person, data=data)
        return self._training(request, training, status=201)

    def _training(self, request: Request, training: YouthTraining, status: int = 200) -> Response:
        training = selectors.training_get(user=request.user, training_id=training.pk)
        location = reverse("youth_api:youth-training-detail", args=[training.pk])
        body = YouthTrainingSerializer(training).data
        return Response(body, status=status, headers={"Location": location})

    @extend_schema(
        summary=_("Record that a young person completed a course"),
        description=_("With the certificate number and date, if a certificate was issued."),
        request=YouthTrainingCompleteSerializer,
        responses={200: YouthTrainingSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: uuid.UUID) -> Response:
        training = selectors.training_get(user=request.user, training_id=pk)
        data = self.validated(YouthTrainingCompleteSerializer, request.data)
        training = services.youth_training_complete(
            actor=_actor(request), training=training, **data
        )
        return self._training(request, training)


@extend_schema_view(
    list=extend_schema(
        summary=_("List young people's job placements"),
        description=_(
            "Of the young people you may see, newest first, with their follow-ups. The read is "
            "audited."
        ),
        parameters=[PersonFilterSerializer],
        responses={200: PlacementSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary=_("Get a job placement"),
        description=_("With its follow-ups. The read is audited."),
        responses={200: PlacementSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Record a job or self-employment"),
        description=_(
            "Employment needs an employer (an organisation of type employer) and a contract "
            "type; the wage cannot be below zero; the start not in the future. Follow-ups are "
            "scheduled at once (months from the programme's youth_follow_up_months, 3, 6 and 12 "
            "by default). Nothing is saved when anything is wrong."
        ),
        request=PlacementCreateSerializer,
        responses={201: PlacementSerializer, **errors(400, 401, 403, 404)},
    ),
)
class PlacementViewSet(YouthViewSet):
    def list(self, request: Request) -> Response:
        filters = self.validated(PersonFilterSerializer, request.query_params)
        person = self.filtered_person(request, filters)
        self.audit_list(request, "youth.placement.list", person)
        page = self.paginate_queryset(selectors.placement_list(user=request.user, person=person))
        return self.get_paginated_response(PlacementSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        placement = selectors.placement_get(user=request.user, placement_id=pk)
        audit.record_read(actor=request.user, target=placement, action="youth.placement.view")
        return Response(PlacementSerializer(placement).data)

    def create(self, request: Request) -> Response:
        data = self.validated(PlacementCreateSerializer, request.data)
        person = self.person_for(request, data.pop("person"))
        data["employer"] = self.organisation(data["employer"], "employer")
        if data["training"] is not None:
            training = selectors.training_list(user=request.user, person=person).filter(
                pk=data["training"]
            )
            data["training"] = training.first()
            if data["training"] is None:
                raise serializers.ValidationError(
                    {"training": [_("No training of this young person with this id.")]}
                )
        placement = services.placement_create(actor=_actor(request), person=person, data=data)
        return self._placement(request, placement, status=201)

    def _placement(self, request: Request, placement: Placement, status: int = 200) -> Response:
        placement = selectors.placement_get(user=request.user, placement_id=placement.pk)
        location = reverse("youth_api:placement-detail", args=[placement.pk])
        body = PlacementSerializer(placement).data
        return Response(body, status=status, headers={"Location": location})

    @extend_schema(
        summary=_("Record that a job or self-employment ended"),
        description=_("Its open follow-ups stay due: they ask whether the young person works."),
        request=PlacementEndSerializer,
        responses={200: PlacementSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: uuid.UUID) -> Response:
        placement = selectors.placement_get(user=request.user, placement_id=pk)
        data = self.validated(PlacementEndSerializer, request.data)
        placement = services.placement_end(actor=_actor(request), placement=placement, **data)
        return self._placement(request, placement)


@extend_schema_view(
    list=extend_schema(
        summary=_("List follow-ups of job placements"),
        description=_(
            "Of the young people you may see, by due date; `due` narrows them to open, overdue, "
            "due today, due this week or done. Without notes. The read is audited."
        ),
        parameters=[FollowUpFilterSerializer],
        responses={200: FollowUpSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary=_("Get a follow-up"),
        description=_("With its note. The read is audited."),
        responses={200: FollowUpDetailSerializer, **errors(401, 404)},
    ),
)
class FollowUpViewSet(YouthViewSet):
    def list(self, request: Request) -> Response:
        filters = self.validated(FollowUpFilterSerializer, request.query_params)
        person = self.filtered_person(request, filters)
        due = filters.get("due", "")
        self.audit_list(request, "youth.follow_up.list", person, due=due)
        qs = selectors.follow_up_list(user=request.user, today=today(), person=person, due=due)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(FollowUpSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        follow_up = selectors.follow_up_get(user=request.user, follow_up_id=pk)
        audit.record_read(actor=request.user, target=follow_up, action="youth.follow_up.view")
        return Response(FollowUpDetailSerializer(follow_up).data)

    @extend_schema(
        summary=_("Record a follow-up"),
        description=_(
            "The day the young person was asked (not before the placement started, not in the "
            "future) and whether they are still working. Recording it again corrects it."
        ),
        request=FollowUpRecordSerializer,
        responses={200: FollowUpDetailSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: uuid.UUID) -> Response:
        follow_up = selectors.follow_up_get(user=request.user, follow_up_id=pk)
        data = self.validated(FollowUpRecordSerializer, request.data)
        follow_up = services.follow_up_record(actor=_actor(request), follow_up=follow_up, **data)
        return Response(FollowUpDetailSerializer(follow_up).data)
