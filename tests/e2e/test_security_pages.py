"""In a real browser, under the Content-Security-Policy: signing in, the forced set-up of a second
factor (with its QR code), the Security page and the API docs run without a single blocked script
or style (ASVS 14.4.3)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from oila.accounts.models import Organisation, Programme, Role, Team
from tests.base import PASSWORD, make_user

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def test_the_sign_in_and_security_pages_break_no_policy(live_server: Any) -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    ngo = Organisation.objects.create(name="Oila NGO", type=Organisation.Type.PROGRAMME_NGO)
    programme = Programme.objects.create(
        name="Khorezm", slug="khorezm", organisation=ngo, starts_on=dt.date(2017, 1, 1)
    )
    team = Team.objects.create(programme=programme, name="Urganch")
    make_user("bob", Role.SUPERVISOR, team=team, organisation=ngo, language="en")
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            context = browser.new_context(
                locale="en-GB", extra_http_headers={"Accept-Language": "en"}
            )
            page = context.new_page()
            page.on(
                "console",
                lambda message: (
                    violations.append(message.text)
                    if "Content Security Policy" in message.text or "Refused to" in message.text
                    else None
                ),
            )
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_login", "bob")
            page.fill("#id_password", PASSWORD)
            page.locator("main button[type=submit]").click()
            # A supervisor must set up a second factor: first the password again (allauth) …
            expect(page.locator("main")).to_contain_text("two-step sign-in")
            page.fill("#id_password", PASSWORD)
            page.locator("main button[type=submit]").click()
            # … then the authenticator app's QR code, an image the policy allows (data: URL).
            qr = page.locator("main img").first
            expect(qr).to_be_visible()
            assert page.evaluate("(img) => img.naturalWidth", qr.element_handle()) > 0
            page.goto(f"{live_server.url}/accounts/security/")
            expect(page.locator("h1")).to_contain_text("Security")
            # The API docs (bob's API use waits for his second factor; a visitor may read them).
            context.clear_cookies()
            page.goto(f"{live_server.url}/api/docs/")
            # Redoc renders (its own styles allowed on this page only).
            expect(page.locator("h1").first).to_contain_text("oila API", timeout=20_000)
        finally:
            browser.close()
    # Redoc's sidebar asks for the Redocly logo from their CDN; the policy stopping it is the point.
    assert [v for v in violations if "cdn.redoc.ly" not in v] == []
