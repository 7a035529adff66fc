"""The notifications inbox over the API: a user's own messages, and marking them read."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from oila.accounts import selectors, services
from oila.accounts.models import Notification
from oila.cases.api.views import _actor
from oila.registry.api.views import RegistryViewSet, errors


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read_at"]
        read_only_fields = fields


class UnreadFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        summary=_("List your notifications"),
        description=_("Newest first: approvals requested and decided, deadlines, reassignments."),
        parameters=[UnreadFilterSerializer],
        responses={200: NotificationSerializer(many=True), **errors(400, 401)},
    ),
)
class NotificationViewSet(RegistryViewSet):
    def list(self, request: Request) -> Response:
        unread = self.validated(UnreadFilterSerializer, request.query_params)["unread"]
        notifications = selectors.notification_list(user=_actor(request))
        if unread:
            notifications = notifications.filter(read_at__isnull=True)
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Mark a notification as read"),
        request=None,
        responses={200: NotificationSerializer, **errors(401, 404)},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: uuid.UUID) -> Response:
        notification = selectors.notification_get(user=_actor(request), notification_id=pk)
        services.notification_mark_read(user=_actor(request), notification=notification)
        return Response(NotificationSerializer(notification).data)
