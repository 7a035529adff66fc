from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection

from oila.audit.models import AuditEvent
from oila.audit.services import verify_chain
from tests.base import OilaTestCase


def tamper(seq: int, **changes: object) -> None:
    """Edit an audit row behind the services' back, as an attacker with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Bypass the append-only trigger, as a superuser could.
            cursor.execute("SET session_replication_role = replica")
        sets = ", ".join(f"{k} = %s" for k in changes)
        cursor.execute(
            f"UPDATE audit_auditevent SET {sets} WHERE seq = %s", [*changes.values(), seq]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


class AuditChainTests(OilaTestCase):
    def test_it_writes_an_event_for_each_registration_step(self) -> None:
        actions = list(AuditEvent.objects.values_list("action", flat=True))
        self.assertEqual(actions.count("household.register"), 1)
        self.assertEqual(actions.count("person.create"), 2)
        self.assertEqual(actions.count("membership.add"), 2)
        self.assertEqual(actions.count("enrolment.create"), 1)

    def test_it_verifies_an_untouched_chain(self) -> None:
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        self.assertIn("OK", out.getvalue())
        self.assertTrue(verify_chain().ok)

    def test_it_names_the_first_tampered_event(self) -> None:
        tamper(3, action="person.delete")
        with self.assertRaisesMessage(CommandError, "#3"):
            call_command("audit", "verify")
        self.assertEqual(verify_chain().broken_seq, 3)

    def test_it_notices_a_deleted_event(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_seq, 3)

    def test_postgres_refuses_updates_and_deletes(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("the append-only trigger exists on PostgreSQL only")
        from django.db import DatabaseError, transaction

        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(seq=1).update(action="x")
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(seq=1).delete()


class AuditContextTests(OilaTestCase):
    def test_a_page_read_records_the_client_address(self) -> None:
        self.client.force_login(self.alice)
        self.client.get(f"/people/{self.child.pk}/", REMOTE_ADDR="10.1.2.3")
        event = AuditEvent.objects.latest("seq")
        self.assertEqual((event.action, event.ip), ("person.view", "10.1.2.3"))


class RecordManyTests(OilaTestCase):
    def test_bulk_events_hash_as_single_ones_do(self) -> None:
        """record_many writes each event's canonical form itself: the chain's verification, which
        recomputes every hash from the stored fields, holds for values of every JSON kind."""
        from oila.audit.models import AuditEvent
        from oila.audit.services import event_hash, record_many, request_context

        afters = [
            None,
            {},
            {"name": "Шаҳноза Каримова", "quote": 'a "b" \\\\ c\\n', "emoji": "ʻoʼ😀"},
            {"nested": {"z": 1, "a": [1, 2.5, None, True]}, "n": -3, "big": 10**20},
            {"tuple": (1, 2), "date": dt.date(2026, 1, 2), "key": 7},
        ]
        before = AuditEvent.objects.count()
        with request_context("10.0.0.7"):
            written = record_many(
                actor=self.alice,
                events=[
                    ("test.bulk", self.child if i % 2 else None, a) for i, a in enumerate(afters)
                ],
            )
        self.assertEqual(written, len(afters))
        events = list(AuditEvent.objects.order_by("seq")[before:])
        self.assertEqual(len(events), len(afters))
        for event in events:
            self.assertEqual(event.hash, event_hash(event))
        self.assertEqual(events[0].ip, "10.0.0.7")
        self.assertEqual(events[4].after, {"tuple": [1, 2], "date": "2026-01-02", "key": 7})
        self.assertEqual(
            [e.after for e in events],
            [None, None, afters[2], json.loads(json.dumps(afters[3])), events[4].after],
        )
        # The stored JSON answers the database's own JSON lookups (SQLite keeps it as text).
        mine = AuditEvent.objects.filter(seq__gt=events[0].seq - 1)
        self.assertEqual(mine.get(after__name="Шаҳноза Каримова").seq, events[2].seq)
        self.assertEqual(mine.get(after__nested__a__1=2.5).seq, events[3].seq)
        self.assertTrue(verify_chain().ok)
