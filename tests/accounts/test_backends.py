"""The sign-in backend reads the signed-in user with their team and programme."""

from __future__ import annotations

import uuid

from oila.accounts.backends import AuthenticationBackend
from oila.accounts.models import Notification, User
from oila.accounts.selectors import unread_count
from oila.accounts.services import notification_mark_read, notifications_mark_all_read, notify
from tests.base import OilaTestCase


class AuthenticationBackendTests(OilaTestCase):
    def test_the_signed_in_user_comes_with_team_and_programme_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            user = AuthenticationBackend().get_user(self.alice.pk)
            assert user is not None
            self.assertEqual(user.team, self.alice.team)
            self.assertEqual(user.team.programme, self.programme)

    def test_a_user_without_a_team_is_read_too(self) -> None:
        user = AuthenticationBackend().get_user(self.frank.pk)
        assert user is not None
        self.assertIsNone(user.team)

    def test_an_inactive_or_unknown_user_is_not_signed_in(self) -> None:
        self.alice.is_active = False
        self.alice.save(update_fields=["is_active"])
        self.assertIsNone(AuthenticationBackend().get_user(self.alice.pk))
        self.assertIsNone(AuthenticationBackend().get_user(uuid.uuid4()))


class UnreadCountTests(OilaTestCase):
    def notify(self, user: User) -> None:
        notify(user=user, kind="test", message="Something to read.")

    def test_the_signed_in_user_comes_with_the_bell_s_count(self) -> None:
        for _ in range(3):
            self.notify(self.alice)
        self.notify(self.bob)
        with self.assertNumQueries(1):
            user = AuthenticationBackend().get_user(self.alice.pk)
            assert user is not None
            self.assertEqual(unread_count(user=user), 3)
        self.assertEqual(unread_count(user=self.alice), 3)  # a user read otherwise: counted

    def test_marking_read_or_a_new_notification_makes_the_bell_count_again(self) -> None:
        self.notify(self.alice)
        self.notify(self.alice)
        user = AuthenticationBackend().get_user(self.alice.pk)
        assert user is not None
        notifications_mark_all_read(user=user)
        self.assertEqual(unread_count(user=user), 0)
        user = AuthenticationBackend().get_user(self.alice.pk)
        assert user is not None
        self.notify(user)
        self.assertEqual(unread_count(user=user), 1)
        notification_mark_read(user=user, notification=Notification.objects.get(read_at=None))
        self.assertEqual(unread_count(user=user), 0)

    def test_the_bell_shows_the_count_on_a_page(self) -> None:
        for _ in range(2):
            self.notify(self.alice)
        self.client.force_login(self.alice)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<span class="badge">2</span>', html=False)
        self.client.post("/notifications/read-all/")
        self.assertNotContains(self.client.get("/"), 'class="badge"')
