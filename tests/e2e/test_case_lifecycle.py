"""In a real browser: a case from registration to closure, by a caseworker and her supervisor (the
issue's "done when"). Each step's screenshot is the user guide's picture of it
(docs/screenshots/case-lifecycle-NN-<step>.png)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from oila.accounts.models import PROGRAMME_DEFAULTS, Organisation, Programme, Role, Team
from oila.cases.models import Case
from oila.common.dates import today
from oila.geo.models import District
from tests.base import make_user

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# CSI factors scored 1 or 2 (each gets a suggested goal); every other factor is scored 3 or 4.
LOW_SCORES = {"2A": 2, "4B": 1}

pytestmark = [
    pytest.mark.e2e,
    # Committed for real (the live server reads it from another thread); serialized_rollback puts
    # back what the migrations loaded (districts, instruments) for the transactional tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _programme() -> dict[str, Any]:
    """A programme with one team: caseworker1 and her supervisor, supervisor1."""
    ngo = Organisation.objects.create(name="Oila NGO", type=Organisation.Type.PROGRAMME_NGO)
    programme = Programme.objects.create(
        name="Khorezm",
        slug="khorezm",
        organisation=ngo,
        starts_on=dt.date(2017, 1, 1),
        settings=dict(PROGRAMME_DEFAULTS),
    )
    team = Team.objects.create(programme=programme, name="Urganch")
    caseworker = make_user(
        "caseworker1", Role.CASEWORKER, team=team, organisation=ngo, language="en"
    )
    supervisor = make_user(
        "supervisor1", Role.SUPERVISOR, team=team, organisation=ngo, language="en"
    )
    return {
        "caseworker": caseworker,
        "supervisor": supervisor,
        "urganch": District.objects.get(soato="1733217"),
    }


def _signed_in(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)  # tests/conftest.py gives the session what a full sign-in gives
    context = browser.new_context(
        locale="en-GB",
        extra_http_headers={"Accept-Language": "en"},
        viewport={"width": 390, "height": 844},
    )
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


def _shot(page: Any, number: int, step: str) -> None:
    page.screenshot(
        path=str(SCREENSHOTS / f"case-lifecycle-{number:02d}-{step}.png"), full_page=True
    )


def _settled(page: Any, action: Any) -> None:
    """Runs the action that loads a page and waits until the page has loaded what it loads itself
    (the case page fetches its services with htmx): the live server's threads then never meet in
    SQLite's single in-memory database."""
    with page.expect_navigation():
        action()
    page.wait_for_load_state("networkidle")


def _follow(page: Any, link: Any) -> None:
    _settled(page, link.click)


def _go(page: Any, url: str) -> None:
    page.goto(url, wait_until="networkidle")


def _submit(page: Any) -> None:
    _follow(page, page.locator("main form.stack p.actions button[type=submit]"))


def test_a_case_goes_from_registration_to_approved_closure(live_server: Any) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are not async.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    cast = _programme()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            worker = _signed_in(browser, live_server, cast["caseworker"]).new_page()
            boss = _signed_in(browser, live_server, cast["supervisor"]).new_page()

            # 1. caseworker1 registers the family with its child.
            _go(worker, f"{url}/households/new/")
            worker.fill("#id_name", "Yusupovlar")
            worker.select_option("#id_district", value=str(cast["urganch"].pk))
            worker.fill("#id_members-0-given_name", "Madina")
            worker.fill("#id_members-0-family_name", "Yusupova")
            worker.select_option("#id_members-0-sex", value="female")
            worker.fill("#id_members-0-birth_date", "2015-04-12")
            worker.select_option("#id_members-0-relationship", value="child")
            _shot(worker, 1, "register-family")
            _follow(worker, worker.locator("p.actions button[type=submit]").last)
            expect(worker.locator("h1")).to_contain_text("Yusupovlar")
            expect(worker.locator("main")).to_contain_text("Madina Yusupova")

            # 2. She opens a child-protection case for the child, risk high.
            _follow(worker, worker.get_by_role("link", name="Open a case"))
            worker.locator('input[name="kind"][value="child"]').check()
            worker.select_option("#id_subject", label="Madina Yusupova")
            worker.select_option("#id_risk", value="high")
            _shot(worker, 2, "open-case")
            _submit(worker)
            expect(worker.locator("h1")).to_contain_text("KHR-")
            case_url = worker.url.split("?")[0].rstrip("/")
            try:
                case = Case.objects.get(subject__given_name="Madina")
                assert (case.kind, case.risk) == ("child", "high")
            finally:
                connections.close_all()

            # 3. She records a CSI: two factors scored low, the rest fair or good.
            _go(worker, f"{case_url}/assessments/")
            _follow(worker, worker.get_by_role("link", name=re.compile(r"Child Status Index")))
            expect(worker.locator("h1")).to_have_text("Child Status Index")
            for i, code in enumerate(
                ["1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "5B", "6A", "6B"]
            ):
                score = LOW_SCORES.get(code, 3 + i % 2)
                worker.locator(f'input[name="item_{code}"][value="{score}"]').check()
            _shot(worker, 3, "assessment")
            _submit(worker)
            expect(worker.locator("main")).to_contain_text("The assessment was recorded.")
            expect(worker.locator("main")).to_contain_text("2 factors need a goal")

            # 4. The plan page suggests a goal for each low score, ticked; she starts the plan.
            _go(worker, f"{case_url}/plan/")
            _follow(worker, worker.get_by_role("link", name="Write the plan"))
            suggestions = worker.locator("ul.suggestions > li")
            expect(suggestions).to_have_count(len(LOW_SCORES))
            for code in LOW_SCORES:
                row = suggestions.filter(has_text=re.compile(rf"\b{code}\b"))
                expect(row).to_have_count(1)
                expect(row.locator("input[type=checkbox]")).to_be_checked()
            _shot(worker, 4, "plan-suggested-goals")
            _submit(worker)
            goals = worker.locator("ol.goals > li.goal")
            expect(goals).to_have_count(len(LOW_SCORES))

            # 5. An action for each goal, then the plan goes to the supervisor.
            due = (today() + dt.timedelta(days=30)).isoformat()
            for n in range(len(LOW_SCORES)):
                goal = worker.locator("ol.goals > li.goal").nth(n)
                _follow(worker, goal.get_by_role("link", name="Add an action"))
                worker.fill("#id_description", f"Action {n + 1} agreed with the family")
                worker.select_option("#id_responsible", value=f"user:{cast['caseworker'].pk}")
                worker.fill("#id_due_on", due)
                _submit(worker)
                expect(worker.locator("main")).to_contain_text("The action was added.")
            expect(worker.locator("ol.goals")).not_to_contain_text("No action yet")
            _follow(worker, worker.get_by_role("button", name="Send for approval"))
            expect(worker.locator("main")).to_contain_text("Waiting for a supervisor's decision.")
            _shot(worker, 5, "plan-sent-for-approval")

            # 6. supervisor1 approves the plan.
            _go(boss, f"{case_url}/plan/")
            _follow(boss, boss.get_by_role("link", name="Approve or return"))
            boss.locator('input[name="decision"][value="approve"]').check()
            _shot(boss, 6, "plan-approve")
            _submit(boss)
            expect(boss.locator("main")).to_contain_text("Your decision was saved.")
            expect(boss.locator("h2 .tag")).to_have_text("approved")

            # 7. caseworker1 records a home visit.
            _go(worker, case_url + "/")
            _follow(worker, worker.get_by_role("link", name="Record a visit").first)
            expect(worker.locator('input[name="kind"][value="home"]')).to_be_checked()
            worker.fill("#id_participants", "mother, Madina")
            worker.fill("#id_narrative", "Madina goes to school every day again.")
            _shot(worker, 7, "visit")
            _submit(worker)
            expect(worker.locator("main")).to_contain_text("Madina goes to school every day again.")

            # 8. She requests the closure: goals met, every goal marked met.
            _go(worker, f"{case_url}/close/")
            checks = worker.locator("fieldset.goal-check")
            expect(checks).to_have_count(len(LOW_SCORES))
            for n in range(len(LOW_SCORES)):
                checks.nth(n).locator('input[value="met"]').check()
            worker.select_option("#id_reason", value="goals_met")
            worker.fill("#id_note", "Both goals met; the family manages on its own.")
            _shot(worker, 8, "closure-request")
            _submit(worker)
            expect(worker.locator("main")).to_contain_text(
                "The closure was requested; a supervisor will decide on it."
            )

            # 9. supervisor1 approves the closure.
            _go(boss, case_url + "/")
            _follow(boss, boss.get_by_role("link", name="Decide on the closure"))
            expect(boss.locator("main")).to_contain_text("no longer requires support (goals met)")
            boss.locator('input[name="approve"][value="yes"]').check()
            _shot(boss, 9, "closure-approve")
            _submit(boss)

            # 10. The case is closed and its timeline shows every step.
            _go(boss, case_url + "/")
            facts = boss.locator("dl.facts").first
            expect(facts).to_contain_text("Closed on")
            timeline = boss.locator("ol.timeline")
            for text in [
                re.compile(r"Case KHR-\d{4}-\d{5} opened; risk level: high"),
                "assessment recorded",
                "Plan version 1 sent for approval.",
                "Plan version 1 approved.",
                "Closure requested: no longer requires support (goals met).",
                "Closure approved; the case is closed (no longer requires support (goals met)).",
            ]:
                expect(timeline).to_contain_text(text)
            expect(timeline).to_contain_text(re.compile(r"home visit on .* recorded", re.I))
            _shot(boss, 10, "timeline")
        finally:
            browser.close()
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closure_reason == Case.ClosureReason.GOALS_MET
