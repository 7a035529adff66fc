"""Two-step sign-in: required for administrators, DPOs, supervisors and managers, offered to all
(ASVS 2.7, 2.8, 4.3.1)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.urls import reverse

from oila.audit.models import AuditEvent
from tests.security.helpers import LOGIN, SignInTestCase, totp_code

HOME = reverse("web:home")
SETUP = reverse("mfa_activate_totp")


class MfaRequiredTests(SignInTestCase):
    def test_the_required_roles_are_admin_dpo_supervisor_and_manager(self) -> None:
        self.assertEqual(
            sorted(settings.OILA_MFA_REQUIRED_ROLES), ["admin", "dpo", "manager", "supervisor"]
        )

    def test_it_sends_a_supervisor_without_a_second_factor_to_set_one_up(self) -> None:
        for user in (self.bob, self.frank, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.client.post(reverse("logout"))
                self.assertRedirects(
                    self.sign_in(user.username), HOME, fetch_redirect_response=False
                )
                response = self.client.get(HOME)
                self.assertRedirects(response, SETUP, fetch_redirect_response=False)
                # allauth asks for the password again first; the message waits for the next page.
                page = self.client.get(SETUP, follow=True)
                self.assertContains(page, "needs two-step sign-in")

    def test_it_guards_every_page_and_the_api(self) -> None:
        self.sign_in("bob")
        for url in [reverse("registry:households"), "/admin/", reverse("web:home")]:
            with self.subTest(url=url):
                self.assertRedirects(self.client.get(url), SETUP, fetch_redirect_response=False)
        response = self.client.get("/api/v1/households/")
        self.assertEqual(response.status_code, 403)
        self.assertIn("two-step", response.json()["detail"])
        htmx = self.client.get(reverse("registry:households"), HTTP_HX_REQUEST="true")
        self.assertEqual(htmx["HX-Redirect"], SETUP)

    def test_it_still_lets_them_sign_out_and_change_language(self) -> None:
        self.sign_in("bob")
        self.assertEqual(self.client.get(reverse("security:index")).status_code, 200)
        self.assertEqual(
            self.client.post(reverse("set_language"), {"language": "ru"}).status_code, 302
        )
        self.client.post(reverse("logout"))
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")

    def test_it_only_offers_it_to_other_roles(self) -> None:
        for user in (self.alice, self.carol, self.dave, self.erin):
            with self.subTest(user=user.username):
                self.client.post(reverse("logout"))
                self.sign_in(user.username)
                self.assertEqual(self.client.get(HOME).status_code, 200)
                page = self.client.get(reverse("security:index"))
                self.assertContains(page, "Set up an authenticator app")

    def test_setting_up_an_authenticator_app_lets_them_in(self) -> None:
        self.sign_in("bob")
        self.reauthenticate()
        self.assertEqual(self.client.get(SETUP).status_code, 200)
        secret = self.client.session["mfa.totp.secret"]
        response = self.client.post(
            SETUP, {"code": "000000" if totp_code(secret) != "000000" else "111111"}
        )
        self.assertContains(response, "Incorrect code")
        self.client.post(SETUP, {"code": totp_code(secret)})
        self.assertTrue(Authenticator.objects.filter(user=self.bob, type="totp").exists())
        self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_the_list_of_roles_is_a_setting(self) -> None:
        with self.settings(OILA_MFA_REQUIRED_ROLES=["caseworker"]):
            self.sign_in("alice")
            self.assertRedirects(self.client.get(HOME), SETUP, fetch_redirect_response=False)


class MfaSignInTests(SignInTestCase):
    def test_it_asks_for_a_code_after_the_password(self) -> None:
        secret = self.give_totp(self.bob)
        response = self.sign_in("bob")
        self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)
        # Not signed in yet: the password alone opens nothing.
        self.assertRedirects(
            self.client.get(HOME), f"{LOGIN}?next={HOME}", fetch_redirect_response=False
        )
        self.assertRedirects(
            self.client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}),
            HOME,
            fetch_redirect_response=False,
        )
        self.assertEqual(self.client.get(HOME).status_code, 200)
        event = AuditEvent.objects.filter(action="session.start").get()
        self.assertEqual(event.after, {"mfa": True})

    def test_it_refuses_a_wrong_code(self) -> None:
        secret = self.give_totp(self.bob)
        self.sign_in("bob")
        wrong = "123456" if totp_code(secret) != "123456" else "654321"
        response = self.client.post(reverse("mfa_authenticate"), {"code": wrong})
        self.assertContains(response, "Incorrect code")
        self.assertRedirects(
            self.client.get(HOME), f"{LOGIN}?next={HOME}", fetch_redirect_response=False
        )

    def test_a_recovery_code_works_once(self) -> None:
        self.give_totp(self.bob)
        code = RecoveryCodes.activate(self.bob).get_unused_codes()[0]
        self.sign_in("bob")
        self.client.post(reverse("mfa_authenticate"), {"code": code})
        self.assertEqual(self.client.get(HOME).status_code, 200)
        self.client.post(reverse("logout"))
        self.sign_in("bob")
        response = self.client.post(reverse("mfa_authenticate"), {"code": code})
        self.assertContains(response, "Incorrect code")

    def test_a_caseworker_who_chose_it_is_asked_too(self) -> None:
        secret = self.give_totp(self.alice)
        self.assertRedirects(
            self.sign_in("alice"), reverse("mfa_authenticate"), fetch_redirect_response=False
        )
        self.client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_the_security_page_offers_security_keys(self) -> None:
        secret = self.give_totp(self.bob)
        self.sign_in_with_totp(self.bob, secret)
        page = self.client.get(reverse("security:index"))
        self.assertContains(page, reverse("mfa_list_webauthn"))
        self.assertContains(page, "Authenticator app: on")
        # allauth's WebAuthn page loads its scripts from our static files (no inline script).
        add = self.client.get(reverse("mfa_add_webauthn"))
        self.assertIn(add.status_code, (200, 302))
