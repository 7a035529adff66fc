"""Reads for the security pages and policies."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from oila.accounts.models import User

# A second factor: recovery codes alone are a fallback, not a factor of their own.
FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def mfa_required(*, user: User) -> bool:
    """Whether this user's role must sign in with a second factor (OILA_MFA_REQUIRED_ROLES)."""
    return user.is_authenticated and user.role in settings.OILA_MFA_REQUIRED_ROLES


def user_has_mfa(*, user: User) -> bool:
    """Whether the user has set up an authenticator app or a security key."""
    return Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES).exists()


def user_authenticators(*, user: User) -> QuerySet[Authenticator]:
    """The user's own authenticators (the Security page shows which kinds they have)."""
    return Authenticator.objects.filter(user=user).order_by("type", "created_at")


def user_sessions(*, user: User) -> list[UserSession]:
    """The user's own signed-in sessions, newest first; records of sessions that ended are dropped."""
    sessions = UserSession.objects.purge_and_list(user)
    return sorted(sessions, key=lambda s: s.created_at, reverse=True)


def user_session_get(*, user: User, session_id: int) -> UserSession:
    """One of the user's own sessions; anyone else's is a 404, as if it did not exist."""
    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        raise Http404
    return session
