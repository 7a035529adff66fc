"""Break-the-glass (ADR 0017): an out-of-scope record of the user's programme opened for an
emergency with a written reason, for the programme's hours only, audited, the DPO told."""

from __future__ import annotations

import datetime as dt
import importlib

import time_machine
from django.apps import apps
from django.test import Client
from django.utils import timezone

from oila.accounts.models import Notification, Programme, Team, User
from oila.audit.models import AuditEvent
from oila.privacy import services
from oila.registry import services as registry
from oila.registry.models import BreakGlassGrant
from tests.base import make_user
from tests.cases.factories import open_case
from tests.support.base import SupportTestCase

REASON = "Police called at night: the child is at the station and her caseworker is away."
URL = "/dpo/break-glass/"


class BreakGlassTestCase(SupportTestCase):
    def break_glass(self, kind: str = "case", identifier: str = "", reason: str = REASON) -> object:
        return self.client.post(
            URL, {"kind": kind, "identifier": identifier or self.case.number, "reason": reason}
        )


class BreakGlassTests(BreakGlassTestCase):
    def test_it_opens_the_case_and_its_household_to_another_teams_caseworker(self) -> None:
        self.login(self.carol)
        case_url, household_url = f"/cases/{self.case.pk}/", f"/households/{self.household.pk}/"
        self.assertEqual(self.client.get(case_url).status_code, 404)  # no existence leak
        self.assertEqual(self.client.get(household_url).status_code, 404)
        response = self.break_glass()
        self.assertRedirects(response, case_url, fetch_redirect_response=False)
        self.assertEqual(self.client.get(case_url).status_code, 200)
        self.assertEqual(self.client.get(household_url).status_code, 200)
        self.assertEqual(self.client.get(f"/people/{self.child.pk}/").status_code, 200)
        grant = BreakGlassGrant.objects.get()
        self.assertEqual(
            (grant.user, grant.household, grant.reason), (self.carol, self.household, REASON)
        )
        self.assertEqual(grant.record_id, self.case.pk)
        hours = (grant.expires_at - grant.created_at).total_seconds() / 3600
        self.assertAlmostEqual(hours, 4, places=2)  # the programme's default

    def test_it_audits_the_grant_and_every_read_through_it(self) -> None:
        self.login(self.carol)
        self.break_glass()
        grant = BreakGlassGrant.objects.get()
        event = AuditEvent.objects.get(action="break_glass.grant")
        self.assertEqual((event.actor_username, event.target_id), ("carol", str(grant.pk)))
        self.assertEqual(event.after["record_id"], str(self.case.pk))
        self.client.get(f"/households/{self.household.pk}/")
        self.client.get(f"/cases/{self.case.pk}/")
        reads = AuditEvent.objects.filter(actor_username="carol", kind="read").order_by("seq")
        self.assertEqual([e.action for e in reads], ["household.view", "case.view"])
        self.assertEqual({e.after["break_glass_grant"] for e in reads}, {str(grant.pk)})
        self.assertEqual({e.note for e in reads}, {"break-the-glass"})

    def test_it_tells_the_data_protection_officer(self) -> None:
        self.login(self.carol)
        self.break_glass()
        note = Notification.objects.get(user=self.grace)
        self.assertEqual(note.kind, "privacy.break_glass")
        self.assertIn("carol", note.text)
        self.assertFalse(
            Notification.objects.filter(kind="privacy.break_glass")
            .exclude(user=self.grace)
            .exists()
        )

    def test_a_grant_ends_at_its_expiry(self) -> None:
        self.login(self.carol)
        self.break_glass()
        expires = BreakGlassGrant.objects.get().expires_at
        # a fresh sign-in at each moment: the session's own 30-minute idle limit is not under test
        with time_machine.travel(expires - dt.timedelta(minutes=1), tick=False):
            self.login(self.carol)
            self.assertEqual(self.client.get(f"/cases/{self.case.pk}/").status_code, 200)
        with time_machine.travel(expires + dt.timedelta(seconds=1), tick=False):
            self.login(self.carol)
            self.assertEqual(self.client.get(f"/cases/{self.case.pk}/").status_code, 404)
            self.assertEqual(self.client.get(f"/households/{self.household.pk}/").status_code, 404)
            self.assertEqual(self.client.get(f"/api/v1/cases/{self.case.pk}/").status_code, 404)

    def test_lists_include_the_granted_record_only_while_the_grant_lasts(self) -> None:
        self.login(self.carol)
        self.assertNotContains(self.client.get("/cases/"), self.case.number)
        self.break_glass()
        self.assertContains(self.client.get("/cases/"), self.case.number)
        self.assertContains(self.client.get("/households/"), str(self.household.pk))
        api_ids = [c["id"] for c in self.client.get("/api/v1/cases/").json()["results"]]
        self.assertIn(str(self.case.pk), api_ids)
        later = BreakGlassGrant.objects.get().expires_at + dt.timedelta(minutes=1)
        with time_machine.travel(later, tick=False):
            self.login(self.carol)
            self.assertNotContains(self.client.get("/cases/"), self.case.number)
            self.assertNotContains(self.client.get("/households/"), str(self.household.pk))
            api_ids = [c["id"] for c in self.client.get("/api/v1/cases/").json()["results"]]
            self.assertNotIn(str(self.case.pk), api_ids)

    def test_it_takes_a_household_or_a_person_too(self) -> None:
        self.login(self.carol)
        response = self.break_glass("person", str(self.child.pk))
        self.assertRedirects(response, f"/people/{self.child.pk}/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(f"/cases/{self.case.pk}/").status_code, 200)
        supervisor_b = make_user("bea", "supervisor", team=self.team_b, organisation=self.ngo)
        self.login(supervisor_b)
        response = self.break_glass("household", str(self.household.pk))
        self.assertRedirects(
            response, f"/households/{self.household.pk}/", fetch_redirect_response=False
        )
        self.assertEqual(BreakGlassGrant.objects.filter(user=supervisor_b).count(), 1)

    def test_it_wants_a_written_reason(self) -> None:
        self.login(self.carol)
        response = self.break_glass(reason="urgent")
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "at least 20 characters", status_code=422)
        self.assertFalse(BreakGlassGrant.objects.exists())
        self.assertEqual(self.client.get(f"/cases/{self.case.pk}/").status_code, 404)

    def test_it_never_reaches_another_programme(self) -> None:
        other = Programme.objects.create(
            name="Samarqand", slug="samarqand", organisation=self.ngo, starts_on=dt.date(2020, 1, 1)
        )
        team = Team.objects.create(programme=other, name="Samarqand")
        worker = make_user("sam", "caseworker", team=team, organisation=self.ngo)
        theirs = registry.household_register(
            actor=worker,
            data={"name": "Olimovlar", "district": self.urganch},
            members=[{"given_name": "Olim", "family_name": "Olimov", "sex": "male"}],
        )
        their_case = open_case(worker, theirs)
        self.login(self.carol)
        for kind, identifier in (("case", their_case.number), ("household", str(theirs.pk))):
            response = self.break_glass(kind, identifier)
            self.assertContains(response, "No such record in your programme", status_code=422)
        self.assertFalse(BreakGlassGrant.objects.exists())
        self.assertEqual(self.client.get(f"/cases/{their_case.pk}/").status_code, 404)

    def test_a_grant_stops_when_the_user_moves_to_another_programme(self) -> None:
        self.login(self.carol)
        self.break_glass()
        other = Programme.objects.create(
            name="Samarqand", slug="samarqand", organisation=self.ngo, starts_on=dt.date(2020, 1, 1)
        )
        self.carol.team = Team.objects.create(programme=other, name="Samarqand")
        self.carol.save(update_fields=["team"])
        self.assertEqual(self.client.get(f"/cases/{self.case.pk}/").status_code, 404)

    def test_a_record_already_in_scope_needs_no_grant(self) -> None:
        self.login(self.alice)
        response = self.break_glass()
        self.assertRedirects(response, f"/cases/{self.case.pk}/", fetch_redirect_response=False)
        self.assertFalse(BreakGlassGrant.objects.exists())

    def test_only_caseworkers_and_supervisors_may_break_the_glass(self) -> None:
        for user in (self.dave, self.erin, self.frank, self.grace, self.heidi):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(URL).status_code, 404)
                self.assertEqual(self.break_glass().status_code, 404)
        self.assertFalse(BreakGlassGrant.objects.exists())
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)
        self.login(self.bob)
        self.assertContains(self.client.get(URL), "Reason")

    def test_grants_are_timestamped_in_the_future(self) -> None:
        self.login(self.carol)
        self.break_glass()
        self.assertGreater(BreakGlassGrant.objects.get().expires_at, timezone.now())


class LiveGrantMarkTests(BreakGlassTestCase):
    """ADR 0025: the user's `break_glass_until` says whether the visibility rule needs to ask which
    records grants open; the grants themselves still decide which."""

    def scope_sql(self, user: object) -> str:
        from oila.cases.models import Case
        from oila.registry.visibility import owned_scope

        return str(Case.objects.filter(owned_scope(user)).query).lower()

    def fresh(self, user: User) -> User:
        return User.objects.get(pk=user.pk)

    def test_without_a_live_grant_the_scope_leaves_the_grants_out(self) -> None:
        for user in (self.carol, self.bob):
            with self.subTest(user=user.username):
                self.assertIsNone(self.fresh(user).break_glass_until)
                self.assertNotIn("breakglass", self.scope_sql(self.fresh(user)))

    def test_a_grant_marks_its_user_until_it_ends_and_the_scope_asks_until_then(self) -> None:
        self.login(self.carol)
        self.break_glass()
        grant = BreakGlassGrant.objects.get()
        carol = self.fresh(self.carol)
        self.assertEqual(carol.break_glass_until, grant.expires_at)
        self.assertIn("breakglass", self.scope_sql(carol))
        with time_machine.travel(grant.expires_at + dt.timedelta(seconds=1), tick=False):
            self.assertNotIn("breakglass", self.scope_sql(carol))

    def test_a_shorter_grant_later_does_not_move_the_mark_back(self) -> None:
        self.login(self.carol)
        self.break_glass()
        first = BreakGlassGrant.objects.get()
        programme = self.team_b.programme
        programme.settings = {**(programme.settings or {}), "break_glass_hours": 1}
        programme.save(update_fields=["settings"])
        self.carol.break_glass_until = None  # an instance read before the first grant
        opened = services.break_glass_open(
            actor=self.carol, kind="household", identifier=str(self.household.pk), reason=REASON
        )
        assert opened.grant is not None
        self.assertLess(opened.grant.expires_at, first.expires_at)
        self.assertEqual(self.fresh(self.carol).break_glass_until, first.expires_at)
        self.assertEqual(self.carol.break_glass_until, first.expires_at)  # the actor's instance too

    def test_a_grant_made_in_another_session_opens_the_record_and_names_itself_in_reads(
        self,
    ) -> None:
        self.login(self.carol)
        self.break_glass()
        grant = BreakGlassGrant.objects.get()
        other = Client(HTTP_X_FORWARDED_PROTO="https")
        other.force_login(self.carol)  # a second sign-in: this session never saw the grant made
        self.assertEqual(other.get(f"/cases/{self.case.pk}/").status_code, 200)
        read = AuditEvent.objects.filter(actor_username="carol", action="case.view").get()
        self.assertEqual(read.after["break_glass_grant"], str(grant.pk))

    def test_the_migration_marks_the_holders_of_live_grants(self) -> None:
        fill = importlib.import_module("oila.registry.migrations.0008_fill_break_glass_until").fill
        self.login(self.carol)
        self.break_glass()
        grant = BreakGlassGrant.objects.get()
        User.objects.update(break_glass_until=None)
        fill(apps, None)
        self.assertEqual(self.fresh(self.carol).break_glass_until, grant.expires_at)
        self.assertIsNone(self.fresh(self.bob).break_glass_until)
        User.objects.update(break_glass_until=None)
        with time_machine.travel(grant.expires_at + dt.timedelta(seconds=1), tick=False):
            fill(apps, None)
        self.assertIsNone(self.fresh(self.carol).break_glass_until)
