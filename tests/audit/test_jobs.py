from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import override_settings

from oila.audit.tasks import verify_audit_chain
from tests.audit.test_verify import tamper
from tests.base import OilaTestCase


class VerifyAuditChainJobTests(OilaTestCase):
    def test_it_logs_an_intact_chain_at_info(self) -> None:
        with self.assertLogs("oila.audit", level="INFO") as logs:
            verify_audit_chain()  # huey is in immediate mode under the tests: this runs the job
        self.assertEqual(len(logs.records), 1)
        self.assertEqual(logs.records[0].levelname, "INFO")
        self.assertIn("intact", logs.output[0])

    def test_it_logs_an_error_naming_the_broken_event(self) -> None:
        tamper(3, note="edited behind the services' back")
        with self.assertLogs("oila.audit", level="ERROR") as logs:
            verify_audit_chain()
        self.assertEqual(len(logs.records), 1)
        self.assertIn("BROKEN at event #3", logs.output[0])
        self.assertIn("its contents do not match its hash", logs.output[0])

    def test_it_reports_a_deleted_event_at_the_one_after_it(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
        result = verify_audit_chain.call_local()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_seq, 3)


class VerifyAuditChainScheduleTests(OilaTestCase):
    def runs_at(self, utc_hour: int, utc_minute: int = 0) -> bool:
        # huey hands periodic tasks a naive UTC timestamp once a minute.
        task = verify_audit_chain.task_class()
        return bool(task.validate_datetime(dt.datetime(2026, 3, 1, utc_hour, utc_minute)))

    def test_it_runs_daily_at_two_in_the_programme_time_zone(self) -> None:
        # Asia/Tashkent is UTC+5 all year: 02:00 there is 21:00 UTC the day before.
        self.assertTrue(self.runs_at(21, 0))
        self.assertFalse(self.runs_at(2, 0))
        self.assertFalse(self.runs_at(21, 1))
        self.assertFalse(self.runs_at(20, 0))

    @override_settings(TIME_ZONE="UTC")
    def test_it_follows_the_configured_time_zone(self) -> None:
        self.assertTrue(self.runs_at(2, 0))
        self.assertFalse(self.runs_at(21, 0))
