"""Writes to cases. Each service validates, saves and writes its audit event in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from oila.accounts.models import User
from oila.audit import services as audit
from oila.cases.models import Case, CaseEvent


@transaction.atomic
def case_event_add(
    *,
    case: Case,
    actor: User | None,
    kind: str,
    message: str,
    params: dict[str, Any] | None = None,
    url: str = "",
) -> CaseEvent:
    """Add a line to a case's timeline. `message` is an English msgid marked with gettext_noop.

    Called by the services of every app that acts on a case, inside their own transaction; the
    calling service writes the audit event for its change, so this adds none of its own.
    """
    event = CaseEvent(
        case=case,
        at=timezone.now(),
        actor=actor,
        kind=kind,
        message=message,
        params=params or {},
        url=url,
    )
    event.full_clean()
    event.save(force_insert=True)
    return event


__all__ = ["audit", "case_event_add"]
