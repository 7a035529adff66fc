"""Content-Security-Policy and the other security headers, and a guard that keeps inline scripts,
styles and event handlers out of every template (ASVS 14.4.3, 14.4.4, 14.4.5, 14.4.6, 14.4.7, 5.3.3).

Every template under src/oila/*/templates is scanned as text, so a template added later is checked
too, whether or not any test renders it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from cryptography.fernet import Fernet
from django.test import TestCase
from django.urls import reverse

import oila

SRC = Path(oila.__file__).resolve().parent
TAG = re.compile(
    r"<(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S
)
HANDLER = re.compile(r"(?:^|[\s\"'])on[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"(?:^|[\s\"'])style\s*=", re.I)
SRC_ATTR = re.compile(r"(?:^|\s)src\s*=", re.I)
# A <script> that is data, not code (e.g. allauth's WebAuthn settings): browsers never run it.
DATA_SCRIPT = re.compile(r"""type\s*=\s*["']application/(?:ld\+)?json["']""", re.I)


def inline_code(text: str) -> list[tuple[int, str]]:
    """(line, what) for every inline script, style element, style attribute, event handler and
    javascript: URL in a template's text."""
    found: list[tuple[int, str]] = []
    for match in TAG.finditer(text):
        name, attrs = match["name"].lower(), match["attrs"]
        line = text.count("\n", 0, match.start()) + 1
        if name == "script" and not SRC_ATTR.search(attrs) and not DATA_SCRIPT.search(attrs):
            found.append((line, "inline <script>"))
        if name == "style":
            found.append((line, "<style> element"))
        if STYLE_ATTR.search(attrs):
            found.append((line, "style= attribute"))
        if HANDLER.search(attrs):
            found.append((line, "on…= event handler"))
        if re.search(r"javascript:", attrs, re.I):
            found.append((line, "javascript: URL"))
    return found


def template_files() -> list[Path]:
    return sorted(p for p in SRC.glob("*/templates/**/*") if p.is_file() and p.suffix == ".html")


class InlineCodeScannerTests(unittest.TestCase):
    """The scanner itself finds what it must (a guard that cannot fail would be worse than none)."""

    def test_it_finds_each_kind_of_inline_code(self) -> None:
        samples = {
            "<script>alert(1)</script>": "inline <script>",
            '<script type="module">x()</script>': "inline <script>",
            "<style>body{}</style>": "<style> element",
            '<p style="color:red">': "style= attribute",
            '<button type="button" onclick="go()">': "on…= event handler",
            "<body\n  onload='x()'>": "on…= event handler",
            '<a href="javascript:go()">': "javascript: URL",
        }
        for text, what in samples.items():
            with self.subTest(text=text):
                self.assertIn(what, [w for _, w in inline_code(text)])

    def test_it_lets_external_scripts_and_data_blocks_through(self) -> None:
        for text in (
            "<script src=\"{% static 'x.js' %}\" defer></script>",
            '<script type="application/json" id="data">{"a": 1}</script>',
            '<div data-online="yes" class="style-x" hx-on="">',
            '<a href="/stylesheet/">online</a>',
        ):
            with self.subTest(text=text):
                self.assertEqual(inline_code(text), [])

    def test_it_reports_the_line(self) -> None:
        self.assertEqual(inline_code("<p>\n\n<p style='x'>"), [(3, "style= attribute")])


class TemplateInlineCodeTests(unittest.TestCase):
    def test_there_are_templates_to_check(self) -> None:
        self.assertGreater(len(template_files()), 10)

    def test_no_template_has_inline_scripts_styles_or_handlers(self) -> None:
        problems = [
            f"{path.relative_to(SRC.parent)}:{line}: {what}"
            for path in template_files()
            for line, what in inline_code(path.read_text(encoding="utf-8"))
        ]
        self.assertEqual(
            problems,
            [],
            "Content-Security-Policy allows scripts and styles only from static files: move these "
            "into src/oila/*/static/ (see docs/adr/0013).",
        )


class SecurityHeadersTests(TestCase):
    def test_every_page_sends_a_strict_content_security_policy(self) -> None:
        response = self.client.get(reverse("account_login"))
        policy = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'self'",
        ):
            self.assertIn(directive, policy)
        self.assertNotIn("unsafe", policy)

    def test_it_denies_framing_and_sniffing(self) -> None:
        response = self.client.get(reverse("account_login"))
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")

    def test_the_api_docs_allow_inline_styles_but_no_inline_scripts(self) -> None:
        policy = self.client.get(reverse("api-docs"))["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        self.assertEqual(directives["script-src"], "'self'")
        self.assertIn("'unsafe-inline'", directives["style-src"])
        self.assertEqual(directives["worker-src"], "'self' blob:")
        # Every other page keeps the strict policy.
        self.assertNotIn(
            "unsafe", self.client.get(reverse("account_login"))["Content-Security-Policy"]
        )

    def test_htmx_is_told_not_to_inject_its_own_styles(self) -> None:
        page = self.client.get(reverse("account_login")).content.decode()
        self.assertIn('"includeIndicatorStyles": false', page)
        css = (SRC / "web/static/oila/oila.css").read_text()
        self.assertIn(".htmx-indicator", css)


class ProductionHeadersTests(unittest.TestCase):
    """Under production settings: HTTPS only, HSTS, secure host-only cookies, and Django's deploy
    check passes (CI runs it too, against PostgreSQL)."""

    def run_oila(self, *args: str) -> subprocess.CompletedProcess[str]:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "OILA_VAR_DIR": tmp.name,
            "SECRET_KEY": "s3cr3t-" * 10,
            "OILA_FIELD_KEYS": Fernet.generate_key().decode(),
            "OILA_HASH_KEY": "h" * 48,
            "ALLOWED_HOSTS": "oila.example.org",
        }
        return subprocess.run(
            [sys.executable, "-m", "oila.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_the_deploy_check_passes(self) -> None:
        # Django's security checks only: the API schema's own warnings are not this test's business.
        result = self.run_oila("check", "--deploy", "--tag", "security", "--fail-level", "WARNING")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_it_sends_hsts_and_marks_cookies_secure(self) -> None:
        probe = (
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_HTTPONLY)"
        )
        result = self.run_oila("shell", "--no-imports", "-c", probe)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout.strip().splitlines()[-1].split(),
            ["31536000", "True", "True", "True", "True", "__Host-oila_session", "True"],
        )
