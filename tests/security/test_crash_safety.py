"""Crash safety: a process killed (SIGKILL) in the middle of a multi-record write leaves all of it or
none of it, and the audit chain intact (rule of the house 7; ASVS 1.11.3, 7.3.3 for the audit trail).

A child process registers one household with many members through `registry.services.
household_register` (one transaction). A probe on its database connection reports each person
written and, after some of them, stops there; the test then kills the process with SIGKILL: no
exception handler, no rollback of its own. On SQLite the child writes to a database file of its
own (migrated first); on PostgreSQL to the test database.
"""

from __future__ import annotations

import os
import random
import selectors
import signal
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

from tests.base import CommittedTestCase

MEMBERS = 40
STOP_AFTER = 25

CHILD = r"""
import sys, time
import django

django.setup()
from django.db import connection
from oila.accounts.models import Organisation, Programme, Role, Team, User
from oila.geo.models import District
from oila.registry import services

token, members, stop_after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
org = Organisation.objects.create(name=f"NGO {token}", type="programme_ngo")
programme = Programme.objects.create(
    name=f"P {token}", slug=token.lower(), organisation=org, starts_on="2020-01-01"
)
team = Team.objects.create(programme=programme, name=f"T {token}")
user = User.objects.create_user(username=f"cw{token}".lower(), role=Role.CASEWORKER, team=team)
district = District.objects.get(soato="1733217")
names = ["Aziza", "Bahora", "Dilnoza", "Feruza", "Gulnora", "Hilola", "Iroda", "Jamila"]
people = [
    {
        "given_name": names[i % len(names)] + "xon" * (i // len(names)),
        "family_name": f"{token}ova",
        "sex": "female",
        "birth_date": f"{1950 + i}-01-01",
    }
    for i in range(members)
]
written = 0


def probe(execute, sql, params, many, context):
    global written
    result = execute(sql, params, many, context)
    if sql.lstrip().upper().startswith("INSERT") and '"registry_person"' in sql:
        written += 1
        print(f"person {written}", flush=True)
        if stop_after and written >= stop_after:
            print("waiting", flush=True)
            time.sleep(600)
    return result


print("ready", flush=True)
with connection.execute_wrapper(probe):
    services.household_register(
        actor=user, data={"name": f"{token}lar", "district": district}, members=people
    )
print("committed", flush=True)
"""


def letters(n: int = 10) -> str:
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n)).capitalize()


class CrashSafetyTests(CommittedTestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DJANGO_SETTINGS_MODULE": "oila.settings",
            "OILA_TESTING": "1",
            "OILA_VAR_DIR": str(self.tmp),
            "OILA_LANGUAGE": "en",
        }
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            user = quote(str(db.get("USER") or ""))
            password = f":{quote(str(db['PASSWORD']))}" if db.get("PASSWORD") else ""
            host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or "5432"
            self.env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
        else:
            self.sqlite_file = self.tmp / "oila.sqlite3"
            self.env["DATABASE_URL"] = f"sqlite:///{self.sqlite_file}"
            migrated = subprocess.run(
                [sys.executable, "-m", "oila.cli", "migrate", "-v0"],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            self.assertEqual(migrated.returncode, 0, migrated.stderr)

    def start(self, token: str, stop_after: int) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, token, str(MEMBERS), str(stop_after)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.addCleanup(lambda: process.poll() is None and process.kill())
        return process

    def wait_for(
        self, process: subprocess.Popen[bytes], line: str, timeout: float = 120
    ) -> list[str]:
        """Read the child's lines until `line`, for at most `timeout` seconds (unbuffered: a line the
        child printed is seen at once)."""
        assert process.stdout is not None
        fd = process.stdout.fileno()
        seen: list[str] = []
        pending = b""
        selector = selectors.DefaultSelector()
        selector.register(fd, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            data = os.read(fd, 4096)
            if not data:
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            seen += [raw.decode().strip() for raw in lines]
            if line in seen:
                return seen
        stderr = b""
        if process.poll() is not None and process.stderr is not None:
            stderr = process.stderr.read()
        self.fail(f"the child never said {line!r}; it said {seen[-5:]} {stderr.decode()[-2000:]}")

    def count(self, sql: str, params: list[Any]) -> int:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
                return int(cursor.fetchone()[0])
        db = sqlite3.connect(self.sqlite_file)
        try:
            return int(db.execute(sql, params).fetchone()[0])
        finally:
            db.close()

    def rows_of(self, token: str) -> tuple[int, int]:
        households = self.count(
            "SELECT COUNT(*) FROM registry_household WHERE name = ?", [f"{token}lar"]
        )
        people = self.count(
            "SELECT COUNT(*) FROM registry_person WHERE family_name = ?", [f"{token}ova"]
        )
        return households, people

    def audit_verifies(self) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "oila.cli", "audit", "verify"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result.stdout

    def register(self, token: str) -> None:
        process = self.start(token, stop_after=0)
        self.wait_for(process, "committed")
        self.assertEqual(process.wait(timeout=60), 0)

    def register_and_kill(self, token: str, stop_after: int) -> list[str]:
        process = self.start(token, stop_after=stop_after)
        said = self.wait_for(process, "waiting")
        os.kill(process.pid, signal.SIGKILL)  # no handler runs, nothing is rolled back by the child
        self.assertEqual(process.wait(timeout=30), -signal.SIGKILL)
        if connection.vendor == "postgresql":
            time.sleep(0.5)  # the server notices the closed connection and rolls back
        return said

    def events(self) -> int:
        return self.count("SELECT COUNT(*) FROM audit_auditevent WHERE 1 = ?", [1])

    def test_a_registration_killed_half_way_leaves_none_of_it(self) -> None:
        whole, killed = letters(), letters()
        self.register(whole)  # all of it: the count below can see rows when they are there
        self.assertEqual(self.rows_of(whole), (1, MEMBERS))
        events = self.events()
        self.assertGreater(events, MEMBERS)
        said = self.register_and_kill(killed, stop_after=STOP_AFTER)
        self.assertIn(f"person {STOP_AFTER}", said)  # the kill came after 25 of 40 members
        self.assertEqual(self.rows_of(killed), (0, 0))  # none of it
        self.assertEqual(self.rows_of(whole), (1, MEMBERS))
        self.assertEqual(self.events(), events)
        self.assertIn(f"OK: {events} audit events, chain intact.", self.audit_verifies())

    def test_after_a_crash_the_next_write_succeeds(self) -> None:
        self.register_and_kill(letters(), stop_after=5)
        token = letters()
        self.register(token)
        self.assertEqual(self.rows_of(token), (1, MEMBERS))
        self.assertIn("chain intact", self.audit_verifies())
