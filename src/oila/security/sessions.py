"""The session clock: when a session signed in, when it was last used, whether it used a second factor.

The login flow (oila.security.adapter.AccountAdapter.login) starts the clock; SessionPolicyMiddleware
reads it on every request. A signed-in session without a clock was not made by the login flow (e.g.
one from before this version) and is ended. Times are Unix seconds, which the JSON session serialiser
keeps as they are.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from oila.accounts.models import User

LOGIN_AT = "oila_login_at"
SEEN_AT = "oila_seen_at"
MFA_DONE = "oila_mfa"
ROLE = "oila_role"

# How often the last-seen time is written (a session save and one UPDATE): not on every request.
SEEN_RESOLUTION_SECONDS = 60


def session_clock_start(session: SessionBase, *, user: User, mfa: bool) -> None:
    """Start a freshly signed-in session's clock (the key was already renewed by Django's login)."""
    now = time.time()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[MFA_DONE] = mfa
    session[ROLE] = user.role


def session_expiry_reason(session: SessionBase, *, user: User, now: float) -> str:
    """Why this signed-in session must end now, or "" when it may go on."""
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        return "unknown"
    if now - login_at > settings.OILA_SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    if now - seen_at > settings.OILA_SESSION_IDLE_SECONDS:
        return "idle"
    if session.get(ROLE) != user.role:
        return "role"
    return ""


def session_seen_is_stale(session: SessionBase, *, now: float) -> bool:
    seen_at = session.get(SEEN_AT)
    return not isinstance(seen_at, int | float) or now - seen_at >= SEEN_RESOLUTION_SECONDS
