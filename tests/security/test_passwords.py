"""Passwords: at least 12 characters, not a common one, no composition rules (ASVS 2.1.1, 2.1.7,
2.1.9)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.base import PASSWORD
from tests.security.helpers import SignInTestCase


class PasswordPolicyTests(SignInTestCase):
    def change(self, new: str) -> object:
        self.sign_in("alice")
        return self.client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )

    def test_it_refuses_fewer_than_12_characters(self) -> None:
        with self.assertRaises(ValidationError):
            validate_password("elevenchars")
        response = self.change("elevenchars")
        self.assertContains(response, "at least 12 characters")

    def test_it_refuses_a_common_password(self) -> None:
        with self.assertRaises(ValidationError):
            validate_password("qwerty123456")
        self.assertContains(self.change("qwerty123456"), "too common")

    def test_it_asks_for_no_digits_capitals_or_symbols(self) -> None:
        validate_password("plov on thursday evenings")
        validate_password("ўзбекча сўзлар ҳам бўлади")  # any letters, spaces included
        response = self.change("plov on thursday evenings")
        self.assertEqual(response.status_code, 302)

    def test_it_allows_long_passphrases(self) -> None:
        validate_password("a" * 10 + " long passphrase of a hundred characters " * 2 + "x" * 10)
