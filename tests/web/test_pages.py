"""The page frame: login, the home page per role, language, phone-sized pages and page weight."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.base import PASSWORD
from tests.registry.test_views import NON_CASE_ROLES, EnglishPages, register

HOME = reverse("web:home")
BUDGET = 150 * 1024  # bytes, compressed, before a page is usable (the limit)
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(?P<url>[^"]+)"')


class HomePageTests(EnglishPages):
    def test_it_redirects_anonymous_users_to_the_login(self) -> None:
        self.assertRedirects(self.client.get(HOME), f"{reverse('login')}?next={HOME}")

    def test_it_shows_a_caseworker_her_households(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(HOME)
        self.assertContains(response, "You can see 1 household.")
        self.assertContains(response, "Karimovlar")
        self.assertContains(response, self.household.get_absolute_url())
        self.assertContains(response, reverse("registry:household-new"))

    def test_it_shows_another_teams_caseworker_only_her_own(self) -> None:
        self.client.force_login(self.carol)
        response = self.client.get(HOME)
        self.assertContains(response, "You can see 0 households.")
        self.assertNotContains(response, "Karimovlar")

    def test_it_shows_the_supervisor_and_the_manager_the_teams_households(self) -> None:
        for user in (self.bob, self.frank):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertContains(self.client.get(HOME), "Karimovlar")

    def test_it_explains_to_other_roles_what_they_see_without_personal_data(self) -> None:
        expected = {"dave": "partner focal point", "erin": "M&amp;E officer",
                    "grace": "data protection officer", "heidi": "administrator"}  # fmt: skip
        for name in NON_CASE_ROLES:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                response = self.client.get(HOME)
                self.assertContains(response, expected[name])
                self.assertNotContains(response, "Karimov")
                self.assertNotContains(response, reverse("registry:households"))

    def test_it_lists_the_ten_most_recently_updated_households(self) -> None:
        for i in range(11):
            register(self.alice, f"Oila {i:02}", self.urganch)
        self.client.force_login(self.alice)
        response = self.client.get(HOME)
        names = [h.name for h in response.context["work"].recent_households]
        self.assertEqual(names, [f"Oila {i:02}" for i in range(10, 0, -1)])
        self.assertContains(response, "You can see 12 households.")

    def test_its_query_count_does_not_grow_with_the_number_of_households(self) -> None:
        self.client.force_login(self.alice)
        # session, user+team+programme+bell (visibility), count, the recent households, the cases
        # and the care placements with deadlines due (cases.selectors.due_items), the young
        # people's follow-ups due (youth.selectors.follow_ups_due). tests/cases/test_views.py
        # pins it with cases too, tests/youth with follow-ups.
        with self.assertNumQueries(7):
            self.client.get(HOME)
        for i in range(5):
            register(self.alice, f"Oila {i}", self.urganch, mahalla=self.mahalla)
        with self.assertNumQueries(7):
            self.client.get(HOME)


class LoginTests(EnglishPages):
    def test_it_signs_in_and_goes_to_my_work(self) -> None:
        url = reverse("login")
        self.assertContains(self.client.get(url), 'name="password"')
        response = self.client.post(url, {"login": "alice", "password": PASSWORD})
        self.assertRedirects(response, HOME)

    def test_it_says_when_the_password_is_wrong(self) -> None:
        response = self.client.post(reverse("login"), {"login": "alice", "password": "nope"})
        self.assertContains(response, "The username and/or password you specified are not correct")

    def test_it_signs_out_with_a_post(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(HOME), f'action="{reverse("logout")}" method="post"')
        self.assertRedirects(self.client.post(reverse("logout")), reverse("login"))
        self.assertEqual(self.client.get(HOME).status_code, 302)


class FrameTests(EnglishPages):
    def pages(self) -> list[str]:
        return [
            HOME,
            reverse("registry:households"),
            self.household.get_absolute_url(),
            reverse("registry:person", args=[self.child.pk]),
            reverse("registry:household-new"),
        ]

    def test_every_page_fits_a_phone_screen(self) -> None:
        self.client.force_login(self.alice)
        for url in [*self.pages(), reverse("login")]:
            if url == reverse("login"):
                self.client.logout()  # a signed-in user is sent on from the sign-in page
            with self.subTest(url=url):
                self.assertContains(
                    self.client.get(url),
                    '<meta name="viewport" content="width=device-width, initial-scale=1">',
                )

    def test_every_page_offers_the_four_languages(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(HOME)
        self.assertContains(response, f'action="{reverse("set_language")}"')
        for code, _name in settings.LANGUAGES:
            self.assertContains(response, f'<option value="{code}"')

    def test_the_chosen_language_is_the_pages_language(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(reverse("set_language"), {"language": "ru", "next": HOME})
        self.assertRedirects(response, HOME, fetch_redirect_response=False)
        del self.client.defaults["HTTP_ACCEPT_LANGUAGE"]
        self.assertContains(self.client.get(HOME), '<html lang="ru">')

    def test_htmx_is_served_from_our_static_files_and_deferred(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(HOME)
        self.assertContains(response, '<script src="/static/vendor/htmx/htmx.min.js" defer>')
        self.assertIsNotNone(finders.find("vendor/htmx/LICENSE"))
        self.assertNotContains(response, "https://")

    # Page weight (150 KB compressed) is checked for every page the URL patterns have, not only
    # these: tests/web/test_page_weight.py.


def page_weight(html: str) -> int:
    """The gzip size of the HTML plus every stylesheet and script it links from our static files."""
    total = len(gzip.compress(html.encode()))
    for match in ASSET.finditer(html):
        url: Any = match["url"]
        assert url.startswith(settings.STATIC_URL), f"{url} is not served from our static files"
        path = finders.find(url[len(settings.STATIC_URL) :])
        assert path, f"{url} is linked but missing"
        total += len(gzip.compress(Path(path).read_bytes()))
    return total
