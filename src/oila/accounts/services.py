"""Writes for accounts: notifications (in the app, and by email where configured)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from oila.accounts.models import Notification, Programme, User
from oila.accounts.selectors import UNREAD


@transaction.atomic
def notify(
    *,
    user: User,
    kind: str,
    message: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    email: bool = True,
) -> Notification:
    """Put a message in a user's inbox; `message` is an English msgid marked with gettext_noop.

    The email (console backend unless EMAIL_BACKEND says otherwise) goes out after the transaction
    commits, in the user's language, so a rolled-back change never sends one.
    """
    notification = Notification(user=user, kind=kind, message=message, params=params or {}, url=url)
    notification.full_clean()
    notification.save(force_insert=True)
    _forget_unread(user)
    if email and user.email and user.is_active:
        transaction.on_commit(lambda: _send_email(notification))
    return notification


def _send_email(notification: Notification) -> None:
    user = notification.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = notification.text
    link = f"{settings.OILA_BASE_URL}{notification.url}" if notification.url else ""
    send_mail(
        subject=f"oila: {text}"[:150],
        message=f"{text}\n\n{link}".strip(),
        from_email=None,
        recipient_list=[user.email],
        fail_silently=True,
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notifications as read."""
    if notification.user_id != user.pk:
        raise PermissionError("not this user's notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
        _forget_unread(user)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark all of the user's unread notifications as read; returns how many there were."""
    now = timezone.now()
    _forget_unread(user)
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )


def _forget_unread(user: User) -> None:
    """The unread count read with the signed-in user (accounts.backends) is no longer right: the
    bell counts again if this request shows it."""
    user.__dict__.pop(UNREAD, None)


def programme_public_changed(*, programme_id: Any) -> None:
    """Note that a figure or a photo of a programme's public page may have changed (oila.public).

    Called by the services that write enrolments, consents, people and photos, in their own
    transaction: the page's cache key includes the counter, so the next visitor gets fresh figures
    once the change commits, in every web process. Not audited: it records no one's data."""
    Programme.objects.filter(pk=programme_id).update(public_version=F("public_version") + 1)
