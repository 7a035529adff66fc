"""Page weight: no HTML page, with the stylesheets and scripts it links, passes 150 KB compressed.

The pages are not a fixed list: every URL pattern of the authorization matrix (tests/security/
matrix.py, which fails for a pattern without an entry) is opened with the planted records, as the
first user the matrix lets see it, so a page added later is weighed without anyone listing it here.
The sign-in page and the allauth account pages are added by hand (the matrix leaves them out).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.security.matrix import ALLOW
from tests.security.matrix_walk import routes
from tests.security.test_matrix import MatrixTestCase
from tests.web.test_pages import BUDGET, page_weight

# Who opens a page: the first of these the matrix allows (the owner first, then wider roles).
VIEWERS = ("alice", "bob", "frank", "erin", "dave", "hana", "grace", "heidi", "carol", "anon")
ACCOUNT_PAGES = ("login", "security:index", "account_change_password")


class PageWeightTests(MatrixTestCase):
    def test_no_page_loads_more_than_150_kb_compressed(self) -> None:
        weighed: dict[str, int] = {}
        too_heavy: list[str] = []
        for route, entry, url in self.requests():
            if route.route.startswith("api/") or entry.get is None:
                continue
            viewer = next((u for u in VIEWERS if entry.get.get(u) == ALLOW), None)
            if viewer is None:
                continue
            response = self.call(self.client_for(viewer), "get", url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue  # a redirect, a download (CSV, XLSX, PDF) or a fragment's error
            total = page_weight(response.content.decode())
            weighed[route.name] = total
            if total >= BUDGET:
                too_heavy.append(f"{route.name} ({url}) as {viewer}: {total} bytes")
        for name in ACCOUNT_PAGES:
            client = self.client_for("anon" if name == "login" else "alice")
            response = client.get(reverse(name))
            self.assertEqual(response.status_code, 200, name)
            weighed[name] = total = page_weight(response.content.decode())
            if total >= BUDGET:
                too_heavy.append(f"{name} as alice: {total} bytes")
        # the walk reached the kinds of page that exist: lists, records, forms, other roles' pages
        for name in (
            "web:home",
            "registry:households",
            "registry:household",
            "registry:person",
            "registry:household-new",
            "cases:case",
            "support:referral",
        ):
            self.assertIn(name, weighed)
        # and the pages of the newer apps, whichever of them have HTML pages by now
        for namespace in ("results", "transfer", "privacy", "public"):
            pages = [r for r in routes() if r.name.startswith(f"{namespace}:")]
            if any(not r.route.startswith("api/") for r in pages):
                self.assertTrue(
                    any(name.startswith(f"{namespace}:") for name in weighed), namespace
                )
        self.assertGreater(len(weighed), 60)
        self.assertEqual(too_heavy, [], "\n".join(too_heavy))

    def test_it_counts_the_linked_stylesheets_and_scripts(self) -> None:
        self.client.force_login(self.alice)
        html = self.client.get(reverse("web:home")).content.decode()
        htmx = finders.find("vendor/htmx/htmx.min.js")
        self.assertIn("/static/vendor/htmx/htmx.min.js", html)
        htmx_gzipped = len(gzip.compress(Path(htmx).read_bytes()))
        self.assertGreater(page_weight(html), len(gzip.compress(html.encode())) + htmx_gzipped)
