"""REST API v1 for capacity building (routes in training.api_urls): the same selectors and services
as the pages.

Events and specialists of programmes outside the user's (ADR 0014) are a 404 whatever the method;
roles that do not organise training get empty lists and 403 when they try to create. Every read is
written to the audit log (a list as one read event per request).
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

from oila.accounts.models import Organisation, Programme, User
from oila.assessments.api import NamedRefSerializer
from oila.audit import services as audit
from oila.audit.models import AuditEvent
from oila.registry.api.views import RegistryViewSet, errors
from oila.registry.models import Person
from oila.training import selectors, services
from oila.training.models import TrainingEvent, TrainingParticipation
from oila.training.selectors import training_programmes


def _actor(request: Request) -> User:
    return cast(User, request.user)


def _ref(obj: Any, name: str) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": name} if obj is not None else None


def _profile(person: Person) -> Any:
    return getattr(person, "specialist_profile", None)


# ---------------------------------------------------------------------------------------------------
# Serializers


class SpecialistSerializer(serializers.ModelSerializer):
    """A professional of a partner agency whom the programme trains (a contact, not a case)."""

    organisation = serializers.SerializerMethodField()
    position = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "patronymic",
            "sex",
            "organisation",
            "position",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_organisation(self, obj: Person) -> dict[str, Any] | None:
        profile = _profile(obj)
        return _ref(profile.organisation, profile.organisation.name) if profile else None

    def get_position(self, obj: Person) -> str:
        profile = _profile(obj)
        return profile.position if profile else ""


class SpecialistCreateSerializer(serializers.Serializer):
    programme = serializers.UUIDField(
        required=False, help_text=_("Needed only by users who work on several programmes.")
    )
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Person.Sex.choices)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    organisation = serializers.UUIDField(help_text=_("The agency the specialist works for."))
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    enrolled_on = serializers.DateField(required=False, help_text=_("Defaults to today."))


class SpecialistProfileSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(help_text=_("The agency the specialist works for."))
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ParticipationSerializer(serializers.ModelSerializer):
    """A specialist's attendance, pre- and post-test scores (percent) and certificate."""

    person = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = TrainingParticipation
        fields = [
            "id", "person", "organisation", "attended", "pre_score", "post_score",
            "certificate_number", "certificate_issued_on",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer)
    def get_person(self, obj: TrainingParticipation) -> dict[str, Any] | None:
        return _ref(obj.person, obj.person.full_name)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_organisation(self, obj: TrainingParticipation) -> dict[str, Any] | None:
        profile = _profile(obj.person)
        return _ref(profile.organisation, profile.organisation.name) if profile else None


class EventSerializer(serializers.ModelSerializer):
    """A training event of the programme (without its participants)."""

    programme = serializers.UUIDField(source="programme_id", read_only=True)
    trainer = serializers.SerializerMethodField()

    class Meta:
        model = TrainingEvent
        fields = [
            "id", "programme", "topic", "starts_on", "ends_on", "trainer", "trainer_name", "venue",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_trainer(self, obj: TrainingEvent) -> dict[str, Any] | None:
        return _ref(obj.trainer, obj.trainer.display_name) if obj.trainer else None


class EventDetailSerializer(EventSerializer):
    """A training event with its participants (reading it is recorded in the audit log)."""

    participants = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "participants"]
        read_only_fields = fields

    @extend_schema_field(ParticipationSerializer(many=True))
    def get_participants(self, obj: TrainingEvent) -> Any:
        return ParticipationSerializer(self.context["participants"], many=True).data


class EventInputSerializer(serializers.Serializer):
    programme = serializers.UUIDField(
        required=False, help_text=_("Needed only by users who work on several programmes.")
    )
    topic = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    trainer = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text=_("A staff member (a user).")
    )
    trainer_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The trainer's name, when the trainer is not a user of oila."),
    )
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ParticipantsAddSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=serializers.UUIDField(),
        allow_empty=False,
        help_text=_("Specialists of the event's programme; those already taking part are kept."),
    )


class ResultInputSerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text=_("A participant of the event."))
    attended = serializers.BooleanField()
    pre_score = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Percent, 0 to 100.")
    )
    post_score = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Percent, 0 to 100.")
    )
    certificate_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    certificate_issued_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Defaults to the event's last day when a certificate number is given."),
    )


class ResultsSerializer(serializers.Serializer):
    results = ResultInputSerializer(
        many=True,
        help_text=_(
            "One entry per participant to change; all are checked first, and any mistake saves "
            "nothing (errors are keyed results[i].field)."
        ),
    )


# ---------------------------------------------------------------------------------------------------
# Views


class TrainingViewSet(RegistryViewSet):
    def programme_for(self, request: Request, programme_id: Any) -> Programme:
        programmes = training_programmes(user=request.user)
        programme = (
            programmes.filter(pk=programme_id).first() if programme_id else programmes.first()
        )
        if programme is None:
            raise serializers.ValidationError(
                {"programme": [_("You do not organise training for this programme.")]}
            )
        return programme

    @staticmethod
    def organisation(pk: Any) -> Organisation:
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None:
            raise serializers.ValidationError(
                {"organisation": [_("No organisation with this id.")]}
            )
        return organisation

    def audit_list(self, request: Request, action: str, target: Any = None) -> None:
        audit.record(actor=request.user, action=action, target=target, kind=AuditEvent.Kind.READ)


@extend_schema_view(
    list=extend_schema(
        summary=_("List specialists"),
        description=_(
            "Professionals of partner agencies enrolled as specialists of your programmes, with "
            "the agency they work for. The read is audited."
        ),
        responses={200: SpecialistSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a specialist"),
        description=_("The read is audited."),
        responses={200: SpecialistSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Add a specialist"),
        description=_(
            "Registers the person (no household), enrols them in the programme's specialist "
            "group and records the agency they work for."
        ),
        request=SpecialistCreateSerializer,
        responses={201: SpecialistSerializer, **errors(400, 401, 403)},
    ),
)
class SpecialistViewSet(TrainingViewSet):
    def list(self, request: Request) -> Response:
        self.audit_list(request, "training.specialist.list")
        page = self.paginate_queryset(selectors.specialist_list(user=request.user))
        return self.get_paginated_response(SpecialistSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        person = selectors.specialist_get(user=request.user, person_id=pk)
        audit.record_read(actor=request.user, target=person, action="training.specialist.view")
        return Response(SpecialistSerializer(person).data)

    def create(self, request: Request) -> Response:
        data = self.validated(SpecialistCreateSerializer, request.data)
        programme = self.programme_for(request, data.pop("programme", None))
        organisation = self.organisation(data.pop("organisation"))
        position = data.pop("position")
        enrolled_on = data.pop("enrolled_on", None)
        profile = services.specialist_register(
            actor=_actor(request),
            programme=programme,
            data=data,
            organisation=organisation,
            position=position,
            enrolled_on=enrolled_on,
        )
        person = selectors.specialist_get(user=request.user, person_id=profile.person_id)
        location = reverse("training_api:specialist-detail", args=[person.pk])
        return Response(
            SpecialistSerializer(person).data, status=201, headers={"Location": location}
        )

    @extend_schema(
        summary=_("Set where a specialist works"),
        request=SpecialistProfileSerializer,
        responses={200: SpecialistSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def profile(self, request: Request, pk: uuid.UUID) -> Response:
        person = selectors.specialist_get(user=request.user, person_id=pk)
        data = self.validated(SpecialistProfileSerializer, request.data)
        services.specialist_profile_set(
            actor=_actor(request),
            person=person,
            organisation=self.organisation(data["organisation"]),
            position=data["position"],
        )
        person = selectors.specialist_get(user=request.user, person_id=pk)
        return Response(SpecialistSerializer(person).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("List training events"),
        description=_("The events of your programmes, newest first. The read is audited."),
        responses={200: EventSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary=_("Get a training event"),
        description=_("With its participants, their attendance and scores. The read is audited."),
        responses={200: EventDetailSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Record a training event"),
        description=_("Topic, dates, trainer (a staff member or a name) and venue."),
        request=EventInputSerializer,
        responses={201: EventDetailSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary=_("Change a training event"),
        request=EventInputSerializer,
        responses={200: EventDetailSerializer, **errors(400, 401, 403, 404)},
    ),
)
class EventViewSet(TrainingViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def list(self, request: Request) -> Response:
        self.audit_list(request, "training.event.list")
        page = self.paginate_queryset(selectors.event_list(user=request.user))
        return self.get_paginated_response(EventSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        return self._event(request, selectors.event_get(user=request.user, event_id=pk))

    def _event(self, request: Request, event: TrainingEvent, status: int = 200) -> Response:
        rows = list(selectors.participations(event=event))
        body = EventDetailSerializer(event, context={"participants": rows}).data
        location = reverse("training_api:event-detail", args=[event.pk])
        return Response(body, status=status, headers={"Location": location})

    def _trainer(self, data: dict[str, Any]) -> None:
        if data.get("trainer"):
            trainer = User.objects.filter(pk=data["trainer"], is_active=True).first()
            if trainer is None:
                raise serializers.ValidationError({"trainer": [_("No user with this id.")]})
            data["trainer"] = trainer

    def create(self, request: Request) -> Response:
        data = self.validated(EventInputSerializer, request.data)
        programme = self.programme_for(request, data.pop("programme", None))
        self._trainer(data)
        event = services.event_create(actor=_actor(request), programme=programme, data=data)
        event = selectors.event_get(user=request.user, event_id=event.pk, audit_read=False)
        return self._event(request, event, status=201)

    def partial_update(self, request: Request, pk: uuid.UUID) -> Response:
        event = selectors.event_get(user=request.user, event_id=pk, audit_read=False)
        data = self.validated(EventInputSerializer, request.data, partial=True)
        data.pop("programme", None)
        self._trainer(data)
        event = services.event_update(actor=_actor(request), event=event, data=data)
        return self._event(request, event)

    @extend_schema(
        summary=_("Invite specialists to an event"),
        request=ParticipantsAddSerializer,
        responses={200: EventDetailSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, pk: uuid.UUID) -> Response:
        event = selectors.event_get(user=request.user, event_id=pk, audit_read=False)
        ids = self.validated(ParticipantsAddSerializer, request.data)["people"]
        # Only specialists the user may see are looked up: an id of anyone else is "not found",
        # never a name.
        specialists = selectors.specialist_list(user=request.user, programme=event.programme_id)
        found = {p.pk: p for p in specialists.filter(pk__in=ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(
                {
                    "people": [
                        _("No specialist of this programme with the id %(id)s.")
                        % {"id": missing[0]}
                    ]
                }
            )
        services.participants_add(actor=_actor(request), event=event, people=list(found.values()))
        return self._event(request, event)

    @extend_schema(
        summary=_("Record attendance, scores and certificates"),
        description=_(
            "For several participants at once: attendance, pre- and post-test scores as "
            "percentages (0 to 100) and certificate numbers. Scores and certificates only for "
            "those who attended. All or nothing."
        ),
        request=ResultsSerializer,
        responses={200: EventDetailSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def results(self, request: Request, pk: uuid.UUID) -> Response:
        event = selectors.event_get(user=request.user, event_id=pk, audit_read=False)
        entries = self.validated(ResultsSerializer, request.data)["results"]
        by_person = {p.person_id: p for p in selectors.participations(event=event)}
        rows = []
        for i, entry in enumerate(entries):
            participation = by_person.get(entry.pop("person"))
            if participation is None:
                raise serializers.ValidationError(
                    {f"results[{i}].person": [_("Not a participant of this event.")]}
                )
            rows.append(
                services.ResultRow(participation=participation, key=f"results[{i}]", **entry)
            )
        services.event_results_record(actor=_actor(request), event=event, rows=rows)
        return self._event(request, event)
