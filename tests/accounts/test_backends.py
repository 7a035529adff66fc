"""The sign-in backend reads the signed-in user with their team and programme."""

from __future__ import annotations

import uuid

from oila.accounts.backends import AuthenticationBackend
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
