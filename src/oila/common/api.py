"""REST helpers: ApplicationError and Django validation errors become 400s with field errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from oila.common.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, ApplicationError):
        exc = exceptions.ValidationError(
            detail={exc.field or "non_field_errors": [str(exc.message)]}
        )
    return drf_exception_handler(exc, context)


class Metadata(SimpleMetadata):
    """OPTIONS answers with the name, description and media types only. DRF's default also
    describes the create form from a serializer, which our viewsets choose per action (so it
    failed with a server error), and the OpenAPI description at /api/schema/ documents it anyway."""

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        return {}
