"""Reads of the data-protection officer: the audit log by person, user and date; read alerts;
break-the-glass grants; a person to export. The DPO sees the people of their programmes only here,
in the audit and subject-access context (ADR 0017), never through the case pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from oila.accounts.models import User
from oila.accounts.rules import is_dpo
from oila.audit.models import AuditEvent
from oila.common.ids import uuid_or_404
from oila.common.script import search_key
from oila.privacy.footprint import related_records
from oila.registry.models import BreakGlassGrant, Person


def _programmes(user: Any) -> Any:
    return user.programmes.values("pk")


def people_find(*, user: Any, q: str, limit: int = 20) -> list[Person]:
    """People of the DPO's programmes by name (either script, the registry's search key) or id."""
    if not is_dpo(user) or not q.strip():
        return []
    qs = Person.objects.filter(programme__in=_programmes(user), merged_into__isnull=True)
    try:
        return list(qs.filter(pk=uuid_or_404(q.strip())))
    except Http404:
        pass
    for word in search_key(q).split():
        qs = qs.filter(search_text__contains=word)
    return list(qs.order_by("family_name", "given_name", "id")[:limit])


def person_for_dpo(*, user: Any, person_id: Any) -> Person:
    """A person of the DPO's programmes; 404 for anyone else or any other person."""
    if not is_dpo(user):
        raise Http404
    person = (
        Person.objects.filter(programme__in=_programmes(user), pk=uuid_or_404(person_id))
        .select_related("programme")
        .first()
    )
    if person is None:
        raise Http404
    return person


@dataclass(frozen=True)
class AuditFilters:
    person: Person | None = None
    actor: User | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    action: str = ""


def audit_search(*, user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Audit events by person (every record about them), by user and by date range, newest first."""
    if not is_dpo(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if filters.person is not None:
        ids = {str(obj.pk) for _, rows in related_records(filters.person) for obj in rows}
        qs = qs.filter(target_id__in=ids)
    if filters.actor is not None:
        qs = qs.filter(Q(actor_id=filters.actor.pk) | Q(actor_username=filters.actor.username))
    tz = timezone.get_current_timezone()
    if filters.since is not None:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.since, dt.time.min, tzinfo=tz))
    if filters.until is not None:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(at__lt=end)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    return qs.order_by("-seq")


def users_for_dpo(*, user: Any) -> QuerySet[User]:
    """Every account, for the audit search by user."""
    if not is_dpo(user):
        return User.objects.none()
    return User.objects.order_by("username")


def read_alerts(*, user: Any) -> QuerySet[AuditEvent]:
    """The alerts about users who read unusually many records (oila.audit), newest first."""
    if not is_dpo(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(action="alert.reads").order_by("-seq")


def alert_users(events: list[AuditEvent]) -> dict[str, User]:
    """The users the alerts are about, by id, in one query."""
    ids = [e.target_id for e in events if e.target_id]
    return {str(u.pk): u for u in User.objects.filter(pk__in=ids)}


def grants(*, user: Any) -> QuerySet[BreakGlassGrant]:
    """Break-the-glass grants of the DPO's programmes, newest first, with how many reads each
    carried."""
    if not is_dpo(user):
        return BreakGlassGrant.objects.none()
    return (
        BreakGlassGrant.objects.filter(programme__in=_programmes(user))
        .select_related("user", "programme", "household")
        .annotate(opened=Count("records"))
        .order_by("-created_at")
    )


def grant_reads(grant_ids: list[Any]) -> dict[str, int]:
    """How many audited reads went through each grant."""
    counts: dict[str, int] = {}
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.READ, note="break-the-glass")
    wanted = {str(g) for g in grant_ids}
    for after in events.values_list("after", flat=True):
        grant = (after or {}).get("break_glass_grant")
        if grant in wanted:
            counts[grant] = counts.get(grant, 0) + 1
    return counts
