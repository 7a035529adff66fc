"""The authorization matrix (tests/security/matrix.py) walked for every URL, role and method; the
lists scoped; no personal data for the M&E officer or a partner beyond what is shared; one audit
event per read of personal data. ASVS 4.0.3 V4.1.1–V4.1.3, V4.2.1, V8.2–V8.3, V7.2.2 (reads)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.test import SimpleTestCase, override_settings
from rest_framework.test import APIClient

from oila.audit.models import AuditEvent
from tests.security.matrix import (
    ALLOW,
    INVALID,
    MATRIX,
    NOT_FOUND,
    NOT_IN_MATRIX,
    RELATIONSHIP,
    USERS,
    Entry,
)
from tests.security.matrix_plant import CANARIES, NAMES, OTHER_NAMES, plant
from tests.security.matrix_walk import Route, outcome, routes
from tests.support.base import SupportTestCase

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def uncovered(found: list[Route]) -> list[str]:
    """URL patterns with neither an entry in the matrix nor a reason to be left out of it."""
    return [
        r.name
        for r in found
        if r.name not in MATRIX and not any(r.route.startswith(p) for p in NOT_IN_MATRIX)
    ]


class MatrixCompletenessTests(SimpleTestCase):
    def test_it_has_an_entry_for_every_url_pattern(self) -> None:
        self.assertEqual(
            uncovered(routes()), [], "URL patterns missing from tests/security/matrix.py"
        )

    def test_it_has_no_entry_for_a_url_that_is_gone(self) -> None:
        names = {r.name for r in routes()}
        self.assertEqual(sorted(set(MATRIX) - names), [])

    @override_settings(ROOT_URLCONF="tests.security.urls_with_extra")
    def test_it_fails_when_a_url_is_added_without_an_entry(self) -> None:
        self.assertEqual(uncovered(routes("tests.security.urls_with_extra")),
                         ["matrix-test-forgotten"])  # fmt: skip
        with self.assertRaises(AssertionError) as raised:
            MatrixCompletenessTests(
                "test_it_has_an_entry_for_every_url_pattern"
            ).test_it_has_an_entry_for_every_url_pattern()
        self.assertIn("matrix-test-forgotten", str(raised.exception))


class MatrixTestCase(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ids = plant(self)
        self.cast = {name: getattr(self, name) for name in USERS}

    def url(self, route: Route, entry: Entry) -> str:
        url = "/" + route.route
        for param in route.params:
            value = self.ids[entry.kw.get(param, param)]
            url = re.sub(rf"<(?:\w+:)?{param}>", str(value), url)
        return url

    def client_for(self, username: str) -> APIClient:
        client = APIClient()
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        if username != "anon":
            client.force_login(self.cast[username])
        return client

    def requests(self) -> list[tuple[Route, Entry, str]]:
        return [
            (r, MATRIX[r.name], self.url(r, MATRIX[r.name]) + self.query(MATRIX[r.name]))
            for r in routes()
            if r.name in MATRIX
        ]

    def query(self, entry: Entry) -> str:
        return "?" + entry.query.format(**self.ids) if entry.query else ""

    def call(self, client: APIClient, method: str, url: str) -> Any:
        """One request whose writes are rolled back, so the next starts from the same records."""
        with transaction.atomic():
            kwargs = {"format": "json"} if url.startswith("/api/") and method == "post" else {}
            response = getattr(client, method)(url, {}, **kwargs)
            transaction.set_rollback(True)
        return response


class MatrixTests(MatrixTestCase):
    def test_it_gives_every_role_the_declared_outcome_for_every_url_and_method(self) -> None:
        wrong: list[str] = []
        checked = 0
        for username in (*USERS, "anon"):
            client = self.client_for(username)
            for route, entry, url in self.requests():
                for method in ("get", "post"):
                    declared = getattr(entry, method)
                    got = outcome(
                        self.call(client, method, url), api=route.route.startswith("api/")
                    )
                    checked += 1
                    if declared is None:
                        ok = got in ("405", NOT_FOUND) or (
                            username == "anon" and got in ("login", "403")
                        )
                        want = "405/404"
                    else:
                        want = declared[username]
                        ok = got == want or (want == ALLOW and got == INVALID)
                    if not ok:
                        wrong.append(f"{method.upper()} {route.name} as {username} "
                                     f"({RELATIONSHIP[username]}): {got}, declared {want}")  # fmt: skip
        self.assertGreater(checked, 2500)
        self.assertEqual(wrong, [], "\n".join(wrong))


class AdminTests(MatrixTestCase):
    def test_it_sends_everyone_but_staff_to_the_login_page(self) -> None:
        for username in (*USERS, "anon"):
            client = self.client_for(username)
            for url in ("/admin/", "/admin/accounts/user/", "/admin/registry/person/"):
                with self.subTest(user=username, url=url):
                    response = client.get(url)
                    if username == "heidi":  # staff: the admin's own model permissions decide
                        self.assertIn(response.status_code, (200, 403, 404))
                    else:
                        self.assertEqual(response.status_code, 302)
                        self.assertIn("login", response["Location"])


class SupervisorActionTests(MatrixTestCase):
    def test_it_refuses_the_owners_valid_request_for_a_supervisors_action_in_the_api(self) -> None:
        client = self.client_for("alice")
        url = f"/api/v1/cases/{self.case.pk}/reassign/"
        body = {"caseworker": str(self.carol.pk), "reason": "She asked for it"}
        self.assertEqual(client.post(url, body, format="json").status_code, 403)
        self.case.refresh_from_db()
        self.assertEqual(self.case.caseworker, self.alice)


class ListScopeTests(MatrixTestCase):
    """List pages and list APIs never include the id of a record out of the user's scope."""

    def test_it_never_lists_an_out_of_scope_id(self) -> None:
        from tests.cases.factories import open_case

        theirs = self.other_team_household()
        their_case = open_case(self.carol, theirs)
        carols = {theirs.pk, theirs.memberships.get().person_id, their_case.pk}
        alices = {
            self.ids[k]
            for k in ("household_id", "person_id", "case_id", "plan_id", "goal_id", "action_id",
                      "assessment_id", "delivery_id", "referral_id", "training_id", "placement_id",
                      "follow_up_id", "consent_id", "enrolment_id", "youth_person_id", "candidate_id")
        } | {self.father.pk, self.other_referral.pk}  # fmt: skip
        out_of_scope = {
            "alice": carols, "bob": carols, "carol": alices, "frank": set(),
            "dave": (alices | carols) - {self.referral.pk},
            "hana": (alices | carols) - {self.other_referral.pk},
            "erin": alices | carols, "grace": alices | carols, "heidi": alices | carols,
        }  # fmt: skip
        listings = [(r, e, u) for r, e, u in self.requests() if e.listing]
        self.assertGreater(len(listings), 25)
        leaks = []
        for username in USERS:
            client = self.client_for(username)
            hidden = {str(pk) for pk in out_of_scope[username]}
            for route, entry, url in listings:
                if entry.get[username] != ALLOW:
                    continue
                response = client.get(url)
                self.assertEqual(response.status_code, 200, url)
                found = set(UUID.findall(response.content.decode())) & hidden
                if found:
                    leaks.append(f"{route.name} as {username}: {sorted(found)}")
        self.assertEqual(leaks, [], "\n".join(leaks))


# The DPO's subject-access exports hold the person's data by design (GDPR art. 15); who may reach
# them is the matrix's, what they hold is tests/privacy/test_export.py's.
DPO_SEES_PERSONAL_DATA = ("privacy:export-json", "privacy:export-pdf")


class PersonalDataTests(MatrixTestCase):
    """No response to the M&E officer, a partner, the DPO or the administrator holds the planted
    personal data (ASVS 4.0.3 8.3.4; 5.0 8.2.2–8.2.3); a partner sees the referred child's name
    only, as the referral shares it."""

    def test_it_shows_no_personal_data_to_roles_without_a_case(self) -> None:
        leaks = []
        for username in ("erin", "dave", "hana", "grace", "heidi"):
            client = self.client_for(username)
            # a partner sees the name of the child referred to it; nobody else's
            secrets = CANARIES + (OTHER_NAMES if username in ("dave", "hana") else NAMES)
            for route, entry, url in self.requests():
                if entry.get is None or entry.get[username] != ALLOW:
                    continue
                if username == "grace" and route.name in DPO_SEES_PERSONAL_DATA:
                    continue
                body = client.get(url).content.decode(errors="replace")
                # The OpenAPI description's examples use sample names: it holds no one's data.
                public = entry.get["anon"] == ALLOW
                found = [s for s in (CANARIES if public else secrets) if s in body]
                if found:
                    leaks.append(f"{route.name} as {username}: {found}")
        self.assertEqual(leaks, [], "\n".join(leaks))


class AuditPerRequestTests(MatrixTestCase):
    """Every read of a record's personal data writes exactly one audit event (ASVS 7.1.3, 7.2)."""

    def test_it_writes_one_audit_event_per_read_of_personal_data(self) -> None:
        wrong = []
        reads = [(r, e, u) for r, e, u in self.requests() if e.personal]
        self.assertGreater(len(reads), 20)
        for username in USERS:
            client = self.client_for(username)
            for route, entry, url in reads:
                if entry.get is None or entry.get[username] != ALLOW:
                    continue
                with transaction.atomic():
                    before = AuditEvent.objects.count()
                    response = client.get(url)
                    written = AuditEvent.objects.count() - before
                    transaction.set_rollback(True)
                self.assertEqual(response.status_code, 200, url)
                if written != 1:
                    wrong.append(f"{route.name} as {username}: {written} events")
        self.assertEqual(wrong, [], "\n".join(wrong))
