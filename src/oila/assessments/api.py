"""REST API v1 for instruments and assessments (routes in assessments.api_urls).

The same selectors and services as the pages: a case outside the user's scope is a 404 whatever the
method; reading an assessment, or a case's list of them, is written to the audit log.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from oila.accounts.models import User
from oila.assessments import selectors, services
from oila.assessments.models import Assessment, Instrument, pick
from oila.audit import services as audit
from oila.cases.models import Case
from oila.cases.selectors import case_get
from oila.registry.api.views import MayRegister, RegistryViewSet, errors

TEXTS_HELP = _("The text in every language: en, uz (Latin), uz-cyrl and ru.")


def texts_field(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text=TEXTS_HELP, **kwargs
    )


@extend_schema_field(OpenApiTypes.STR)
class TranslatedField(serializers.Field):
    """A text in the request's language, from a JSON object of texts."""

    def __init__(self, source: str, **kwargs: Any) -> None:
        super().__init__(
            source=source, read_only=True, help_text=_("In the request's language."), **kwargs
        )

    def to_representation(self, value: Any) -> str:
        return pick(value)


class ScaleLevelSerializer(serializers.Serializer):
    value = serializers.IntegerField(read_only=True)
    label = TranslatedField("labels")
    labels = texts_field()
    guidance = TranslatedField("guidances")
    guidances = texts_field()


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)
    domain = TranslatedField("domains")
    domains = texts_field()
    label = TranslatedField("labels")
    labels = texts_field()
    goal = TranslatedField("goals")
    goals = texts_field()
    levels = ScaleLevelSerializer(many=True, read_only=True)


class InstrumentSummarySerializer(serializers.ModelSerializer):
    name = TranslatedField("names")

    class Meta:
        model = Instrument
        fields = ["id", "code", "version", "abbreviation", "name", "applies_to", "active"]
        read_only_fields = fields


class InstrumentSerializer(serializers.ModelSerializer):
    """An instrument version with its items, scales and guidance texts."""

    name = TranslatedField("names")
    names = texts_field()
    description = TranslatedField("descriptions")
    descriptions = texts_field()
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "id", "code", "version", "abbreviation", "name", "names", "description",
            "descriptions", "applies_to", "goal_at_or_below", "active", "items",
        ]  # fmt: skip
        read_only_fields = fields


class NamedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class ScoreSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.code", read_only=True, help_text=_("Item code."))
    label = serializers.CharField(source="item.label", read_only=True)
    value = serializers.IntegerField(read_only=True)


def _person(person: Any) -> dict[str, Any] | None:
    return {"id": person.pk, "name": person.full_name} if person else None


def _user(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user else None


class AssessmentSummarySerializer(serializers.ModelSerializer):
    """An assessment without its notes."""

    case = serializers.UUIDField(source="case_id", read_only=True)
    instrument = InstrumentSummarySerializer(read_only=True)
    subject = serializers.SerializerMethodField()
    assessor = serializers.SerializerMethodField()
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id", "case", "instrument", "subject", "assessed_on", "assessor", "scores", "created_at"
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_subject(self, obj: Assessment) -> dict[str, Any] | None:
        return _person(obj.subject)

    @extend_schema_field(NamedRefSerializer)
    def get_assessor(self, obj: Assessment) -> dict[str, Any] | None:
        return _user(obj.assessor)


class AssessmentSerializer(AssessmentSummarySerializer):
    """An assessment with its notes (reading it is recorded in the audit log)."""

    class Meta(AssessmentSummarySerializer.Meta):
        fields = [*AssessmentSummarySerializer.Meta.fields, "notes", "early_reason"]
        read_only_fields = fields


class ScoreInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=12, help_text=_("The item's code, e.g. 1A."))
    value = serializers.IntegerField()


class AssessmentCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    instrument = serializers.UUIDField(help_text=_("An instrument version in use."))
    subject = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "The person assessed; omitted for an instrument of the household (and, for a "
            "child-protection case, it defaults to its child)."
        ),
    )
    assessed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    early_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A supervisor's reason for a CSI sooner than the reassessment interval."),
    )
    scores = ScoreInputSerializer(many=True, help_text=_("Every item of the instrument, once."))


class CaseFilterSerializer(serializers.Serializer):
    case = serializers.UUIDField(help_text=_("The case whose records to list."))


class CaseScopedViewSet(RegistryViewSet):
    """Any signed-in user; what they may reach is decided by the case's visibility (404 otherwise).
    Creating is for the case roles: any other role gets 403 before its body is even read."""

    permission_classes = [IsAuthenticated, MayRegister]

    def case_for(self, request: Request, case_id: Any) -> Case:
        try:
            return case_get(user=request.user, case_id=case_id, audit_read=False)
        except Http404:  # the same answer for "no such case" and "not yours"
            raise NotFound(_("No case with this id, or it is outside what you may see.")) from None


def _actor(request: Request) -> User:
    return cast(User, request.user)


@extend_schema_view(
    list=extend_schema(
        summary=_("List assessment instruments"),
        description=_("The instrument versions in use. Not personal data: any signed-in user."),
        responses={200: InstrumentSummarySerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary=_("Get an instrument version"),
        description=_("With its items, scale levels and guidance texts in every language."),
        responses={200: InstrumentSerializer, **errors(401, 404)},
    ),
)
class InstrumentViewSet(CaseScopedViewSet):
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.instrument_list(with_items=False))
        return self.get_paginated_response(InstrumentSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        return Response(InstrumentSerializer(selectors.instrument_get(instrument_id=pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("List a case's assessments"),
        description=_(
            "Newest first, with scores, without notes. The read is audited (once per request)."
        ),
        parameters=[CaseFilterSerializer],
        responses={200: AssessmentSummarySerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary=_("Get an assessment"),
        description=_("With its scores and notes. The read is audited."),
        responses={200: AssessmentSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Record an assessment"),
        description=_(
            "Every item of the instrument scored exactly once, on its scale; the date not in the "
            "future; a CSI not sooner than the programme's reassessment interval unless a "
            "supervisor gives a reason. When anything is wrong nothing is saved."
        ),
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer, **errors(400, 401, 403, 404)},
    ),
)
class AssessmentViewSet(CaseScopedViewSet):
    def list(self, request: Request) -> Response:
        case = self.case_for(
            request, self.validated(CaseFilterSerializer, request.query_params)["case"]
        )
        audit.record_read(actor=request.user, target=case, action="case.assessments.view")
        page = self.paginate_queryset(selectors.assessment_list(user=request.user, case=case))
        return self.get_paginated_response(AssessmentSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        assessment = selectors.assessment_get(user=request.user, assessment_id=pk)
        return Response(AssessmentSerializer(assessment).data)

    def create(self, request: Request) -> Response:
        data = self.validated(AssessmentCreateSerializer, request.data)
        case = self.case_for(request, data["case"])
        instrument = Instrument.objects.filter(pk=data["instrument"]).first()
        if instrument is None:
            raise serializers.ValidationError({"instrument": [_("No instrument with this id.")]})
        subject = None
        if data.get("subject"):
            subject = selectors.case_people(case=case).filter(pk=data["subject"]).first()
            if subject is None:
                raise serializers.ValidationError(
                    {"subject": [_("Not one of the people this case is about.")]}
                )
        assessment = services.assessment_record(
            actor=_actor(request),
            case=case,
            instrument=instrument,
            subject=subject,
            assessed_on=data["assessed_on"],
            notes=data["notes"],
            early_reason=data["early_reason"],
            scores=[(s["item"], s["value"]) for s in data["scores"]],
        )
        assessment = selectors.assessment_get(
            user=request.user, assessment_id=assessment.pk, audit_read=False
        )
        location = reverse("assessments_api:assessment-detail", args=[assessment.pk])
        return Response(
            AssessmentSerializer(assessment).data, status=201, headers={"Location": location}
        )
