"""The transfer tests' base: the fixed cast, and a transfer directory of the test's own."""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import Any

from django.test import override_settings

from oila.transfer import services
from oila.transfer.models import Job
from tests.base import OilaTestCase


class TransferTestCase(OilaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.folder = tempfile.mkdtemp(prefix="oila-transfer-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        override = override_settings(OILA_TRANSFER_DIR=self.folder)
        override.enable()
        self.addCleanup(override.disable)

    def check(self, user: Any, type_key: str, data: bytes, name: str = "register.xlsx") -> Job:
        """Upload a file and run its dry run (huey runs at once under the tests)."""
        job = services.import_start(
            actor=user, type_key=type_key, source=io.BytesIO(data), original_name=name
        )
        job.refresh_from_db()
        return job

    def commit(self, user: Any, job: Job, confirmed: Any = ()) -> Job:
        services.import_commit(actor=user, job=job, confirmed_rows=confirmed)
        job.refresh_from_db()
        return job

    def codes(self, job: Job) -> list[tuple[int, str, str]]:
        return [(p["row"], p["column"], p["code"]) for p in job.report["problems"]]
