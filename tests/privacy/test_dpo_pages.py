"""The data protection officer's pages: audit search by person, user and dates (each search
audited), read alerts, break-the-glass grants. Nobody else reaches them (404)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oila.audit import services as audit
from oila.audit.models import AuditEvent
from oila.privacy import services
from tests.support.base import SupportTestCase

REASON = "Police called at night: the child is at the station and her caseworker is away."
PAGES = ("/dpo/", "/dpo/audit/", "/dpo/alerts/", "/dpo/break-glass/grants/")


class DpoPagesTests(SupportTestCase):
    def test_only_the_data_protection_officer_sees_them(self) -> None:
        for user in (
            self.alice,
            self.bob,
            self.carol,
            self.dave,
            self.erin,
            self.frank,
            self.heidi,
        ):
            self.login(user)
            for url in PAGES:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.grace)
        for url in PAGES:
            with self.subTest(user="grace", url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_navigation_links_them_for_the_dpo_only(self) -> None:
        self.login(self.grace)
        self.assertContains(self.client.get("/"), 'href="/dpo/"')
        self.login(self.alice)
        page = self.client.get("/")
        self.assertNotContains(page, 'href="/dpo/"')
        self.assertContains(page, 'href="/dpo/break-glass/"')


class AuditSearchTests(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.alice)
        self.client.get(f"/people/{self.child.pk}/")  # a read of the child's record by alice
        self.client.get(f"/households/{self.household.pk}/")
        self.login(self.grace)

    def search(self, **params: str) -> object:
        return self.client.get("/dpo/audit/", params)

    def test_it_finds_everything_about_a_person_by_name(self) -> None:
        response = self.search(person="Shahnoza")
        self.assertEqual(response.context["person"], self.child)
        actions = [e.action for e in response.context["page"].object_list]
        self.assertIn("person.view", actions)
        self.assertIn("household.view", actions)  # her household's record is about her too
        self.assertIn("case.open", actions)
        targets = {e.target_id for e in response.context["page"].object_list}
        self.assertNotIn(str(self.other_team_household().pk), targets)
        self.assertContains(response, "Shahnoza Karimova")
        self.assertContains(response, f"/dpo/people/{self.child.pk}/export.pdf")

    def test_a_name_matching_several_people_asks_which(self) -> None:
        response = self.search(person="Karimov")  # the father and the daughter
        self.assertIsNone(response.context["page"])
        self.assertEqual(
            {p.pk for p in response.context["people"]}, {self.father.pk, self.child.pk}
        )
        self.assertContains(response, f"person={self.child.pk}")
        event = AuditEvent.objects.get(action="dpo.audit_search")
        self.assertEqual(event.after, {"person_query": "Karimov", "people_found": 2})

    def test_it_filters_by_user_and_dates(self) -> None:
        response = self.search(user="alice", person=str(self.child.pk))
        events = list(response.context["page"].object_list)
        self.assertTrue(events)
        self.assertEqual({e.actor_username for e in events}, {"alice"})
        yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        response = self.search(user="alice", until=yesterday)
        self.assertEqual(list(response.context["page"].object_list), [])
        response = self.search(user="alice", since=timezone.localdate().isoformat())
        self.assertGreater(response.context["page"].paginator.count, 2)

    def test_it_pages_the_results(self) -> None:
        for _ in range(60):
            audit.record_read(actor=self.alice, target=self.child, action="person.view")
        response = self.search(person=str(self.child.pk))
        self.assertEqual(len(response.context["page"].object_list), 50)
        second = self.client.get("/dpo/audit/", {"person": str(self.child.pk), "page": 2})
        self.assertEqual(second.context["page"].number, 2)
        self.assertGreater(len(second.context["page"].object_list), 10)

    def test_each_search_is_audited(self) -> None:
        self.search(person=str(self.child.pk), user="alice")
        event = AuditEvent.objects.filter(action="dpo.audit_search").get()
        self.assertEqual((event.actor_username, event.kind), ("grace", "read"))
        self.assertEqual(event.target_id, str(self.child.pk))
        self.assertEqual(event.after["user"], "alice")

    def test_bad_input_gets_a_message(self) -> None:
        response = self.search(user="nobody-of-that-name")
        self.assertContains(response, "No user with this username", status_code=422)
        response = self.search(since="2026-05-02", until="2026-05-01")
        self.assertContains(response, "before its start", status_code=422)
        self.assertFalse(AuditEvent.objects.filter(action="dpo.audit_search").exists())


class AlertsAndGrantsTests(SupportTestCase):
    def test_it_lists_read_alerts(self) -> None:
        audit.record(actor=None, action="alert.reads", target=self.carol,
                     after={"records": 73, "minutes": 10, "limit": 50})  # fmt: skip
        self.login(self.grace)
        response = self.client.get("/dpo/alerts/")
        self.assertContains(response, "73 records read within 10 minutes")
        self.assertContains(response, "carol")

    def test_it_lists_grants_active_and_past(self) -> None:
        services.break_glass_open(actor=self.carol, kind="case", identifier=self.case.number,
                                  reason=REASON)  # fmt: skip
        self.login(self.grace)
        response = self.client.get("/dpo/break-glass/grants/")
        self.assertContains(response, REASON)
        self.assertContains(response, self.case.number)
        self.assertContains(response, "active")
        self.assertContains(response, "0 audited reads")
        self.assertEqual(self.client.get("/dpo/").context["active_grants"], 1)
