from __future__ import annotations

from unittest import mock

from django.db import OperationalError, connection
from django.test import TestCase

from oila import __version__


class HealthzTests(TestCase):
    def test_it_reports_the_database_and_version_without_login(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(
            response.json(), {"status": "ok", "database": "ok", "version": __version__}
        )

    def test_it_is_never_cached(self) -> None:
        response = self.client.get("/healthz")
        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_answers_503_when_the_database_is_down(self) -> None:
        with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(body["status"], "error")
        self.assertEqual(body["database"], "unavailable")
        self.assertEqual(body["version"], __version__)
        self.assertNotIn("gone", response.content.decode())  # no internals for the probe

    def test_it_refuses_other_methods(self) -> None:
        self.assertEqual(self.client.post("/healthz").status_code, 405)
