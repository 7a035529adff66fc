"""Writing audit events inside the caller's transaction, and verifying the chain."""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from oila.audit.models import AuditEvent
from oila.common.bulk import insert_prepared
from oila.common.services import to_jsonable

GENESIS = "0" * 64
_LOCK_KEY = 7_310_221  # any constant: the PostgreSQL advisory lock that keeps the chain linear
_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("oila_client_ip", default="")
# Records the signed-in user reaches only through a break-the-glass grant: record id -> grant id.
_break_glass: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "oila_break_glass", default=None
)


@contextmanager
def request_context(ip: str) -> Iterator[None]:
    """Remember the client's address for events written while a request is handled."""
    token = _client_ip.set(ip)
    try:
        yield
    finally:
        _client_ip.reset(token)


@contextmanager
def break_glass_context(records: dict[str, str]) -> Iterator[None]:
    """While a request is handled: the records opened by the user's break-the-glass grants, so that
    each read of one of them (or of something hung on it) carries its grant (ADR 0017)."""
    token = _break_glass.set(records)
    try:
        yield
    finally:
        _break_glass.reset(token)


def _grant_of(target: models.Model) -> str:
    """The grant through which `target` is read: it, or the case/household/person it belongs to."""
    records = _break_glass.get()
    if not records:
        return ""
    for attr in ("pk", "case_id", "household_id", "subject_id", "person_id"):
        value = getattr(target, attr, None)
        if value is not None and str(value) in records:
            return records[str(value)]
    return ""


# What json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) writes: the
# canonical form an event's hash is taken of (one encoder, not one per call).
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(fields).encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "kind": event.kind,
        "actor_id": str(event.actor_id) if event.actor_id else "",
        "actor_username": event.actor_username,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": event.before,
        "after": event.after,
        "note": event.note,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return _digest(_hashed_fields(event))


def _target(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk)


@transaction.atomic
def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    kind: str = AuditEvent.Kind.WRITE,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (so it commits or rolls back with it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # On SQLite the IMMEDIATE transaction already holds the database's single write lock.
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    target_type, target_id = _target(target)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        seq=(last["seq"] + 1) if last else 1,
        at=timezone.now(),
        kind=kind,
        actor_id=actor.pk if is_user else None,
        actor_username=actor.get_username() if is_user else (str(actor) if actor else ""),
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=to_jsonable(before) if before else None,
        after=to_jsonable(after) if after else None,
        note=note,
        ip=_client_ip.get(),
        prev_hash=last["hash"] if last else GENESIS,
    )
    # Round-trip the JSON so the hash is computed over exactly what the database will give back.
    event.before = json.loads(json.dumps(event.before)) if event.before is not None else None
    event.after = json.loads(json.dumps(event.after)) if event.after is not None else None
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event


@transaction.atomic
def record_many(
    *,
    actor: Any,
    events: list[tuple[str, models.Model | None, dict[str, Any] | None]],
    kind: str = AuditEvent.Kind.WRITE,
) -> int:
    """Append several events (action, target, after) to the chain at once, in the caller's
    transaction: what `record` writes for each, chained the same way, in one insert (bulk imports).
    Returns how many were written.

    The events share their moment, actor, address and kind: those values are prepared, and their
    part of each event's canonical form written, once. Each event's form is the one `event_hash`
    takes (tests/audit/test_verify.py checks it against the chain's verification)."""
    if not events:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    actor_id = actor.pk if is_user else None
    username = actor.get_username() if is_user else (str(actor) if actor else "")
    ip, at = _client_ip.get(), timezone.now()
    # The hashed fields in key order (as _hashed_fields gives them, sort_keys): action,
    # actor_id, actor_username, after, at, before, ip, kind, note, prev_hash, seq, target_id,
    # target_type. Those the events share are written once.
    shared_actor = (
        f',"actor_id":{_canonical(str(actor_id) if actor_id else "")}'
        f',"actor_username":{_canonical(username)},"after":'
    )
    shared_at = (
        f',"at":{_canonical(at.isoformat())},"before":null,"ip":{_canonical(ip)}'
        f',"kind":{_canonical(kind)},"note":"","prev_hash":'
    )
    field = {f.name: f for f in AuditEvent._meta.concrete_fields}.__getitem__
    columns = ["seq", "at", "kind", "actor_id", "actor_username", "action", "target_type",
               "target_id", "before", "after", "note", "ip", "prev_hash", "hash"]  # fmt: skip
    prep = {
        name: field(name).get_db_prep_save(value, connection=connection)
        for name, value in (("at", at), ("actor_id", actor_id), ("before", None))
    }
    after_field = field("after")
    # SQLite keeps JSON as text: the canonical form of `after` written for the hash is stored as it
    # is (the same value read back) instead of being encoded a second time.
    as_text = connection.vendor == "sqlite" and getattr(after_field, "encoder", None) is None
    encoded: dict[str, str] = {}  # actions' and target types' canonical forms

    def code(text: str) -> str:
        if text not in encoded:
            encoded[text] = _canonical(text)
        return encoded[text]

    rows = []
    for action, target, after in events:
        seq += 1
        target_type, target_id = _target(target)
        value = to_jsonable(after) if after else None
        after_json = _canonical(value)
        canonical = (
            f'{{"action":{code(action)}{shared_actor}{after_json}{shared_at}"{prev}"'
            f',"seq":{seq},"target_id":{_canonical(target_id)},"target_type":{code(target_type)}}}'
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        rows.append(
            [
                seq, prep["at"], kind, prep["actor_id"], username, action, target_type, target_id,
                prep["before"],
                None if value is None else after_json if as_text
                else after_field.get_db_prep_save(value, connection=connection),
                "",
                ip, prev, digest,
            ]
        )  # fmt: skip
        prev = digest
    insert_prepared(AuditEvent, [field(c).column for c in columns], rows, batch_size=2000)
    return len(rows)


def record_read(*, actor: Any, target: models.Model, action: str) -> AuditEvent:
    """A read of personal data (a person's or household's page or API record); a read through a
    break-the-glass grant names the grant."""
    grant = _grant_of(target)
    if grant:
        return record(
            actor=actor,
            action=action,
            target=target,
            kind=AuditEvent.Kind.READ,
            after={"break_glass_grant": grant},
            note="break-the-glass",
        )
    return record(actor=actor, action=action, target=target, kind=AuditEvent.Kind.READ)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(*, chunk_size: int = 5000) -> VerifyResult:
    """Recompute every hash in order; name the first event that does not fit the chain."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, event.seq, f"missing event(s) before #{event.seq}")
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.seq, "does not link to the event before it")
        if event_hash(event) != event.hash:
            return VerifyResult(False, checked, event.seq, "its contents do not match its hash")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)


@dataclass(frozen=True)
class ReadAlert:
    user_id: Any
    username: str
    records: int


@transaction.atomic
def read_alerts_raise(*, now: Any = None) -> list[ReadAlert]:
    """Alert the data protection officers when one user read more than OILA_READ_ALERT_COUNT
    different records within the last OILA_READ_ALERT_MINUTES minutes (ASVS 4.0.3 8.1.4, 11.1.7).

    Each alert is an audit event ("alert.reads", its target the user) and a notification to every
    active DPO of the user's programme; a user already alerted within the window is not alerted
    again for the same window."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Count
    from django.utils.translation import gettext_noop

    from oila.accounts.models import Role, User
    from oila.accounts.services import notify

    now = now or timezone.now()
    minutes = int(getattr(settings, "OILA_READ_ALERT_MINUTES", 10))
    limit = int(getattr(settings, "OILA_READ_ALERT_COUNT", 50))
    since = now - timedelta(minutes=minutes)
    window = AuditEvent.objects.filter(at__gt=since, at__lte=now)
    heavy = (
        window.filter(kind=AuditEvent.Kind.READ, actor_id__isnull=False)
        .values("actor_id", "actor_username")
        .annotate(records=Count("target_id", distinct=True))
        .filter(records__gt=limit)
        .order_by("actor_username")
    )
    already = set(window.filter(action="alert.reads").values_list("target_id", flat=True))
    alerts = []
    for row in heavy:
        if str(row["actor_id"]) in already:
            continue
        user = User.objects.filter(pk=row["actor_id"]).first()
        if user is None:
            continue
        record(
            actor=None,
            action="alert.reads",
            target=user,
            after={"records": row["records"], "minutes": minutes, "limit": limit},
        )
        officers = User.objects.filter(role=Role.DPO, is_active=True)
        programme_ids = list(user.programmes.values_list("pk", flat=True))
        if user.team is not None:
            programme_ids.append(user.team.programme_id)
        if programme_ids:
            officers = officers.filter(programmes__in=programme_ids).distinct()
        for officer in officers:
            notify(
                user=officer,
                kind="audit.read_alert",
                message=gettext_noop(
                    "%(username)s read %(records)s records in %(minutes)s minutes."
                ),
                params={"username": user.username, "records": row["records"], "minutes": minutes},
            )
        alerts.append(ReadAlert(user.pk, user.username, row["records"]))
    return alerts
