"""Settings refuse to start production without its secrets (run in a fresh interpreter each time)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from cryptography.fernet import Fernet

SECRETS = {
    "SECRET_KEY": "k" * 64,
    "OILA_FIELD_KEYS": Fernet.generate_key().decode(),
    "OILA_HASH_KEY": "h" * 48,
}
PROBE = "import oila.settings as s; print(s.PRODUCTION, s.DEBUG, s.SESSION_COOKIE_SECURE)"


class ProductionSettingsTests(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.var = Path(tmp.name) / "var"

    def load(self, probe: str = PROBE, **env: str) -> subprocess.CompletedProcess[str]:
        # A clean environment: none of DEBUG, OILA_DEMO, OILA_TESTING or the secrets from ours.
        clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OILA_VAR_DIR": str(self.var)}
        return subprocess.run(
            [sys.executable, "-c", probe],
            env={**clean, **env},
            cwd=self.var.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_it_refuses_to_start_without_a_secret_key(self) -> None:
        result = self.load()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImproperlyConfigured", result.stderr)
        self.assertIn("SECRET_KEY must be set", result.stderr)

    def test_it_refuses_a_secret_key_without_field_keys(self) -> None:
        result = self.load(SECRET_KEY=SECRETS["SECRET_KEY"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImproperlyConfigured", result.stderr)
        self.assertIn("OILA_FIELD_KEYS and OILA_HASH_KEY must be set", result.stderr)

    def test_it_refuses_field_keys_without_the_hash_key(self) -> None:
        env = {k: v for k, v in SECRETS.items() if k != "OILA_HASH_KEY"}
        result = self.load(**env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("OILA_FIELD_KEYS and OILA_HASH_KEY must be set", result.stderr)

    def test_it_starts_with_every_secret_and_secure_cookies(self) -> None:
        result = self.load(**SECRETS)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["True", "False", "True"])

    def test_an_empty_debug_variable_does_not_mean_debug(self) -> None:
        result = self.load(DEBUG="")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set", result.stderr)


class LocalSettingsTests(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.var = Path(tmp.name) / "var"

    def load(self, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OILA_VAR_DIR": str(self.var)}
        return subprocess.run(
            [sys.executable, "-c", "import oila.settings as s; print(s.SECRET_KEY)"],
            env={**clean, **env},
            cwd=self.var.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_debug_generates_a_secret_once_and_keeps_it_private(self) -> None:
        first = self.load(DEBUG="1")
        self.assertEqual(first.returncode, 0, first.stderr)
        key_file = self.var / "secret-key"
        self.assertEqual(key_file.stat().st_mode & 0o777, 0o600)
        self.assertEqual(self.load(DEBUG="1").stdout, first.stdout)  # survives a restart
        self.assertGreaterEqual(len(first.stdout.strip()), 50)

    def test_the_demo_needs_no_secrets_either(self) -> None:
        self.assertEqual(self.load(OILA_DEMO="1").returncode, 0)

    def test_tests_write_no_secret_to_disk(self) -> None:
        result = self.load(OILA_TESTING="1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertFalse((self.var / "secret-key").exists())
