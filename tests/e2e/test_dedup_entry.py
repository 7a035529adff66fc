"""In a real browser: registering a child already in the registry, typed in the other script, shows
the existing child before anything is saved (the issue's "done when")."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from oila.accounts.models import Organisation, Programme, Role, Team
from oila.geo.models import District
from oila.registry import services as registry
from oila.registry.models import Household, Person
from tests.base import make_user

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.e2e,
    # Committed for real (the live server reads it from another thread); serialized_rollback puts
    # back what the migrations loaded (districts) for the transactional tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _programme() -> dict[str, Any]:
    """A small programme: one caseworker, one family whose daughter is registered in Latin."""
    ngo = Organisation.objects.create(name="Oila NGO", type=Organisation.Type.PROGRAMME_NGO)
    programme = Programme.objects.create(
        name="Khorezm", slug="khorezm", organisation=ngo, starts_on=dt.date(2017, 1, 1)
    )
    team = Team.objects.create(programme=programme, name="Urganch")
    alice = make_user("alice", Role.CASEWORKER, team=team, organisation=ngo, language="en")
    urganch = District.objects.get(soato="1733217")
    household = registry.household_register(
        actor=alice,
        data={"name": "Karimovlar", "district": urganch},
        members=[
            {"given_name": "Dilshod", "family_name": "Karimov", "sex": "male",
             "birth_date": dt.date(1985, 3, 1), "relationship": "head"},
            {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
             "birth_date": dt.date(2014, 5, 20), "relationship": "child"},
        ],
    )  # fmt: skip
    child = household.memberships.get(relationship="child").person
    return {"alice": alice, "urganch": urganch, "child": child}


def _signed_in(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)  # tests/conftest.py gives the session what a full sign-in gives
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def test_registering_a_child_in_cyrillic_offers_the_child_registered_in_latin(
    live_server: Any,
) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are not async.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    cast = _programme()
    people, households = Person.objects.count(), Household.objects.count()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            page = _signed_in(browser, live_server, cast["alice"]).new_page()
            page.goto(f"{live_server.url}/households/new/")
            page.fill("#id_name", "Каримовлар")
            page.select_option("#id_district", value=str(cast["urganch"].pk))
            page.fill("#id_members-0-given_name", "Шаҳноза")
            page.fill("#id_members-0-family_name", "Каримова")
            page.select_option("#id_members-0-sex", value="female")
            page.fill("#id_members-0-birth_date", "2014-05-20")
            page.select_option("#id_members-0-relationship", value="child")
            page.locator("p.actions button[type=submit]").click()

            panel = page.get_by_test_id("possible-matches")
            expect(panel).to_be_visible()
            expect(panel).to_contain_text("Shahnoza Karimova")
            expect(panel).to_contain_text("name matches across scripts")
            # Nothing was saved yet. (Inside Playwright's event loop the ORM opens a connection of
            # its own: closed at once, or PostgreSQL could not drop the test database afterwards.)
            try:
                assert (Person.objects.count(), Household.objects.count()) == (people, households)
            finally:
                connections.close_all()

            # "This is the same person": the existing child joins the new household.
            panel.locator(f'input[value="link:{cast["child"].pk}"]').check()
            page.locator("p.actions button[type=submit]").click()
            expect(page.locator("h1")).to_contain_text("Каримовлар")
            expect(page.locator("main")).to_contain_text("Shahnoza Karimova")
        finally:
            browser.close()
    assert Person.objects.count() == people
    assert Household.objects.count() == households + 1
    assert cast["child"].memberships.count() == 2
