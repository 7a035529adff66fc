"""Writes for sign-in and sessions: the session clock, ending sessions, changing users.

Ending sessions is explicit (called by the user admin and the Security page), never a signal.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, logout
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from oila.accounts.models import User
from oila.audit import services as audit
from oila.common.services import snapshot
from oila.security import sessions
from oila.security.selectors import user_has_mfa

# Changing any of these ends every session of the user: what they may do has changed under them.
SESSION_ENDING_FIELDS = {"is_active", "role", "is_staff", "is_superuser"}
USER_FIELDS = {
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "role",
    "organisation",
    "team",
    "language",
    "last_login",
    "date_joined",
}
# Many-to-many fields the user admin sets; a change of groups or permissions is a change of what the
# user may do, so it ends their sessions like a change of role.
USER_RELATIONS = {"programmes", "groups", "user_permissions"}
SESSION_ENDING_RELATIONS = {"groups", "user_permissions"}


def session_start(*, request: HttpRequest, user: User) -> None:
    """Start the clock of a session that has just signed in, and write the sign-in to the audit log."""
    mfa = user_has_mfa(user=user)
    sessions.session_clock_start(request.session, user=user, mfa=mfa)
    audit.record(
        actor=user, action="session.start", target=user, after={"mfa": mfa}, note="sign-in"
    )


def session_touch(*, request: HttpRequest, now: float) -> None:
    """Note that the session is in use (at most once a minute: see sessions.SEEN_RESOLUTION_SECONDS)."""
    request.session[sessions.SEEN_AT] = now
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).update(last_seen_at=timezone.now())


def session_expire(*, request: HttpRequest, user: User, reason: str) -> None:
    """End the current session because its time is up (or it was not made by the login flow)."""
    audit.record(actor=user, action="session.expire", target=user, note=reason)
    logout(request)


def _end_stored_session(session_key: str) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore().delete(session_key)


@transaction.atomic
def user_session_end(*, actor: User, session: UserSession) -> None:
    """End one signed-in session (a user ending one of their own, e.g. on a lost phone)."""
    audit.record(actor=actor, action="session.end", target=session.user, note="one session")
    session.end()


@transaction.atomic
def user_sessions_end(
    *, actor: User | None, user: User, keep_session_key: str | None = None, reason: str = ""
) -> int:
    """End every session of a user (but `keep_session_key`, the caller's own, when given).

    Sessions recorded at sign-in are ended first; then, with database-backed sessions, any other
    session that names the user (one that began before sessions were recorded) is found and ended.
    """
    ended = 0
    for tracked in UserSession.objects.filter(user=user).exclude(
        session_key=keep_session_key or ""
    ):
        tracked.end()
        ended += 1
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        user_id = str(user.pk)
        stale: list[str] = []
        live = Session.objects.filter(expire_date__gt=timezone.now()).only(
            "session_key", "session_data"
        )
        for stored in live.iterator(chunk_size=500):
            if stored.session_key == keep_session_key:
                continue
            data = stored.get_decoded()
            if str(data.get(SESSION_KEY, "")) == user_id and data.get(BACKEND_SESSION_KEY):
                stale.append(stored.session_key)
        for key in stale:
            _end_stored_session(key)
        ended += len(stale)
    audit.record(
        actor=actor or user,
        action="session.end_all",
        target=user,
        after={"ended": ended},
        note=reason,
    )
    return ended


@transaction.atomic
def user_create(*, actor: User, user: User) -> User:
    """Add a user prepared by an administrator (the admin's form has set the password hash)."""
    user.full_clean(exclude=["password"])
    user.save(force_insert=True)
    audit.record(
        actor=actor, action="user.create", target=user, after=snapshot(user, ["username", "role"])
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Change a user's account; disabling them or changing their role ends all their sessions."""
    changed = {
        name: value
        for name, value in data.items()
        if name in USER_FIELDS and getattr(user, name) != value
    }
    if not changed:
        return user
    before = snapshot(user, changed)
    for name, value in changed.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changed))
    audit.record(
        actor=actor, action="user.update", target=user, before=before, after=snapshot(user, changed)
    )
    if SESSION_ENDING_FIELDS & changed.keys():
        user_sessions_end(
            actor=actor,
            user=user,
            reason="account changed: " + ", ".join(sorted(SESSION_ENDING_FIELDS & changed.keys())),
        )
    return user


@transaction.atomic
def user_relations_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Set a user's programmes, groups or permissions (lists of objects); audited, and a change of
    groups or permissions ends the user's sessions."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, values in data.items():
        if name not in USER_RELATIONS:
            continue
        manager = getattr(user, name)
        old = sorted(str(pk) for pk in manager.values_list("pk", flat=True))
        new = sorted(str(v.pk) for v in values)
        if old != new:
            manager.set(values)
            before[name], after[name] = old, new
    if after:
        audit.record(actor=actor, action="user.access", target=user, before=before, after=after)
        if SESSION_ENDING_RELATIONS & after.keys():
            user_sessions_end(
                actor=actor,
                user=user,
                reason="access changed: "
                + ", ".join(sorted(SESSION_ENDING_RELATIONS & after.keys())),
            )
    return user
