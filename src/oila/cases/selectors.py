"""Reads of cases. Every one takes the user and applies the owner-field visibility rule."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from oila.audit import services as audit
from oila.cases.models import Case
from oila.cases.visibility import owned_scope
from oila.common.ids import uuid_or_404


def case_get(*, user: Any, case_id: Any, audit_read: bool = True) -> Case:
    """One case the user may see (404 otherwise); the read is audited."""
    case = (
        Case.objects.filter(owned_scope(user))
        .select_related("household", "subject", "caseworker", "team", "programme")
        .filter(pk=uuid_or_404(case_id))
        .first()
    )
    if case is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=case, action="case.view")
    return case
