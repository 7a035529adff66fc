"""What a new user does after `make demo`: open the site, sign in with a printed login, see their work.

Usage: python .ci/demo_smoke.py http://127.0.0.1:8000 PASSWORD  (exits non-zero on any failure)
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request


def main(base: str, password: str) -> int:
    if not base.startswith(("http://127.", "http://localhost")):
        print("the smoke test only talks to a server on this machine")
        return 2
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + 240
    while True:
        try:
            with opener.open(f"{base}/healthz", timeout=5) as response:
                print("healthz:", response.read().decode())
                break
        except OSError:
            if time.monotonic() > deadline:
                print("the demo server did not come up within 240 s")
                return 1
            time.sleep(2)
    failures = 0
    for username in (
        "caseworker1",
        "supervisor1",
        "manager",
        "meofficer",
        "partner1",
        "dpo",
        "admin",
    ):
        jar.clear()
        with opener.open(f"{base}/accounts/login/", timeout=10) as response:
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            print("no CSRF token on the login page")
            return 1
        data = urllib.parse.urlencode(
            {"login": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
        with opener.open(request, timeout=10) as response:
            landed = response.geturl()
            body = response.read().decode()
        ok = "/accounts/login/" not in landed and 'name="password"' not in body
        print(f"login {username}: {'ok' if ok else 'FAILED'} ({landed})")
        failures += not ok
        if ok and username == "caseworker1":
            with opener.open(f"{base}/households/", timeout=10) as response:
                rows = response.read().decode().count('href="/households/')
            print(f"caseworker1 household list: {rows} household links")
            failures += rows == 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2]))
