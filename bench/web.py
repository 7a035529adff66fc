"""Web benchmark: page latency under 20 concurrent signed-in users, against gunicorn, at scale.

    .venv/bin/python bench/web.py                        # 1 000 000 people (builds the database once)
    .venv/bin/python bench/web.py --people 100000 --seconds 30
    make bench-web

What it does:

1. `ensure_scale_database(people)` (bench/_scale.py): the scale programme (`oila demo-data --scale`).
2. Sessions made directly in the database for the programme's staff, as a completed sign-in makes
   them (second factor done): half the users are caseworkers (each her own ~60 households), half are
   programme managers, who see all of the programme's households: the heaviest lists and searches.
3. gunicorn on loopback (`oila.wsgi`, --workers, sync workers, DEBUG off) and --users threads, each a
   user clicking through the pages in a random order with a think time between clicks (--think,
   uniform 0.5-1.5 x the value; 0 makes a closed loop that measures throughput instead).
4. For each page kind: p50, p95, p99 in milliseconds, requests and errors (any status but 200).
5. Alone: the median of --floor-runs / 3 requests of the page in-process, one at a time, committed
   as the server's are (the read's audit event is written).
6. The floor: the page's SQL alone. Each page is requested once in-process with its queries captured
   (connection.execute_wrapper), inside a transaction that is rolled back (the audit event of a read
   is written and undone); the same statements are then run straight on the psycopg connection, again
   rolled back, --floor-runs times; the median is the floor, and p50 / floor is the ratio. A
   ROLLBACK makes psycopg forget the connection's prepared statements, so the floor includes
   PostgreSQL's planning of every statement, which the server's connections mostly skip (ADR 0023).

Settings: the server runs with OILA_DEMO=1 and the database's keys: the scale build encrypted with
the keys a demo install derives from var/secret-key, which a production configuration (explicit
OILA_FIELD_KEYS and OILA_HASH_KEY) cannot reproduce for the keyed hashes. OILA_DEMO=1 differs from
production only in where secrets come from, in not redirecting to HTTPS and not requiring a second
factor (the sessions here have it done), none of which changes what a request costs; DEBUG is off
(cached templates, no query log) as in production.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scale import ROOT, bench_environment, ensure_scale_database

TARGETS_MS = {
    "home": None,
    "household list": 100,
    "household list, filtered": 100,
    "household page": 50,
    "case page": 50,
    "name search": 200,
    "indicator dashboard": 1000,
}


def _environment(url: str) -> dict[str, str]:
    return {
        **bench_environment(url),
        "OILA_STATIC_ROOT": str(ROOT / "var" / "static"),
        "OILA_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "oila.settings",
    }


# ---------------------------------------------------------------------------------------------------
# Users, sessions and what each may open


@dataclass
class Visitor:
    role: str
    username: str
    cookie: str
    households: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    district: str = ""

    def urls(
        self, rng: random.Random, dashboard: str | None, *, load: bool = True
    ) -> dict[str, str]:
        urls = {
            "home": "/",
            "household list": "/households/",
            "household list, filtered": "/households/?"
            + urlencode({"district": self.district, "group": "vulnerable_child"}),
            "household page": f"/households/{rng.choice(self.households)}/",
            "case page": f"/cases/{rng.choice(self.cases)}/",
            "name search": "/households/?" + urlencode({"q": rng.choice(self.names)}),
        }
        if load and self.role == "manager":
            # A manager's home lists every due deadline of the programme (tens of thousands at a
            # million people): measured once in-process, outside the load (see the notes printed).
            del urls["home"]
        if dashboard and self.role == "manager":  # results are for managers and M&E officers
            urls["indicator dashboard"] = dashboard
        return urls


def _session_for(user: Any) -> str:
    """A session as a completed sign-in leaves it (oila.security.sessions), saved in the database."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from oila.security.sessions import session_clock_start

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session_clock_start(store, user=user, mfa=True)
    store.save(must_create=True)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


ROLES = ("caseworker", "supervisor", "manager")


def _role_of(index: int, count: int) -> str:
    """80 % caseworkers, 10 % supervisors, 10 % programme managers (at least one of each)."""
    managers = max(1, round(count * 0.1))
    supervisors = max(1, round(count * 0.1))
    if index < managers:
        return "manager"
    if index < managers + supervisors:
        return "supervisor"
    return "caseworker"


def _visitors(count: int, rng: random.Random) -> list[Visitor]:
    from oila.accounts.models import User
    from oila.cases.models import Case
    from oila.demo.scale import SCALE_SLUG
    from oila.registry.models import Household, Person

    def sample(model: Any, **lookups: Any) -> Any:
        return model.objects.filter(**lookups).order_by("?")

    staff = User.objects.filter(team__programme__slug=SCALE_SLUG)
    caseworkers = list(staff.filter(role="caseworker").order_by("username"))
    supervisors = list(staff.filter(role="supervisor").order_by("username"))
    manager = User.objects.get(username="scale-manager")
    visitors = []
    for index in range(count):
        role = _role_of(index, count)
        if role == "caseworker":
            user = caseworkers[rng.randrange(len(caseworkers))]
            scope: dict[str, Any] = {"caseworker": user}
        elif role == "supervisor":
            user = supervisors[rng.randrange(len(supervisors))]
            scope = {"team": user.team_id}
        else:
            user = manager
            scope = {"programme__slug": SCALE_SLUG}
        households = list(sample(Household, **scope).values_list("pk", "district_id")[:2000])
        cases = list(sample(Case, **scope).values_list("pk", flat=True)[:2000])
        # names as users type them: a member's given name (caseworker), or a surname
        field = "given_name" if role == "caseworker" else "family_name"
        names = list(sample(Person, **scope).values_list(field, flat=True)[:200])
        visitor = Visitor(role, user.username, _session_for(user))
        visitor.households = [str(pk) for pk, _d in households]
        visitor.cases = [str(pk) for pk in cases]
        visitor.names = names
        visitor.district = str(households[0][1])
        visitors.append(visitor)
    return visitors


# ---------------------------------------------------------------------------------------------------
# The floor: the SQL of one request, captured in-process and run again straight on psycopg


def _floor(url: str, cookie: str, runs: int) -> tuple[float, int, int, float]:
    """(median seconds of the page's statements, number of statements, status, median seconds the
    whole request takes in-process, one at a time) for one page."""
    from django.db import connection, transaction
    from django.test import Client

    statements: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    name, value = cookie.split("=", 1)
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.cookies[name] = value
    client.get(url)  # once unmeasured: templates compiled, connection open
    # The whole request, as the server runs it: committed (a read's audit event is written, as under
    # the load). Not in a rolled-back transaction: a ROLLBACK makes psycopg drop the connection's
    # prepared statements (ADR 0023), which a server's requests keep.
    took = []
    for _ in range(max(1, runs // 3)):
        started = time.perf_counter()
        client.get(url)
        took.append(time.perf_counter() - started)
    with transaction.atomic():
        with connection.execute_wrapper(capture):
            response = client.get(url)
        transaction.set_rollback(True)
    raw = connection.connection
    timings = []
    for _ in range(runs):
        with transaction.atomic():
            started = time.perf_counter()
            with raw.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    if cursor.description is not None:
                        cursor.fetchall()
            timings.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return (
        statistics.median(timings),
        len(statements),
        response.status_code,
        statistics.median(took),
    )


# ---------------------------------------------------------------------------------------------------
# The load


@dataclass
class Results:
    times: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "GET",
            path,
            headers={
                "Cookie": cookie,
                "Accept-Encoding": "identity",
                "X-Forwarded-Proto": "https",
                "Host": "127.0.0.1",
            },
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _user_loop(
    visitor: Visitor,
    port: int,
    until: float,
    think: float,
    seed: int,
    dashboard: str | None,
    results: Results,
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        pages = list(visitor.urls(rng, dashboard).items())
        rng.shuffle(pages)
        for kind, path in pages:
            if time.monotonic() >= until:
                return
            started = time.perf_counter()
            try:
                status, _body = _get(port, path, visitor.cookie)
            except OSError as exc:
                status, _body = 0, str(exc).encode()
            elapsed = time.perf_counter() - started
            with results.lock:
                key = (kind, visitor.role)
                if status == 200:
                    results.times[key].append(elapsed)
                else:
                    results.errors[key] += 1
                    if len(results.error_samples) < 10:
                        results.error_samples.append(f"{status} {path}")
            if think:
                time.sleep(think * (0.5 + rng.random()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_gunicorn(env: dict[str, str], workers: int, port: int) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "oila.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = _get(port, "/healthz", "")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


APPLICATION_NAME = "oila-bench-web"


def _renice(pid: int, nice: int, url: str) -> None:
    """Give gunicorn (its master and workers), this process and the PostgreSQL backends serving
    gunicorn's connections (found by their application_name) the scheduling priority `nice`."""
    import psycopg

    children = Path(f"/proc/{pid}/task/{pid}/children")
    workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    with psycopg.connect(url) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME]
            )
        ]
    for target in (pid, *workers, os.getpid(), *backends):
        with contextlib.suppress(ProcessLookupError):
            os.setpriority(os.PRIO_PROCESS, target, nice)


def _keep_reniced(pid: int, nice: int, url: str, stop: threading.Event) -> None:
    # Connections are renewed (CONN_MAX_AGE): their new backends are found every second.
    while not stop.wait(1.0):
        _renice(pid, nice, url)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Page latency at scale (see the module docstring)."
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="how long the load runs")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time between a user's clicks (s)"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--floor-runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run gunicorn, the clients and the PostgreSQL backends serving gunicorn at this "
        "scheduling priority (e.g. -10 on a machine shared with other work, to approximate a "
        "dedicated server; needs root)",
    )
    args = parser.parse_args()

    url = ensure_scale_database(args.people)
    env = _environment(url)
    Path(env["OILA_STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    from oila.demo.scale import SCALE_SLUG

    rng = random.Random(args.seed)
    visitors = _visitors(args.users, rng)
    try:
        dashboard: str | None = reverse("results:dashboard", args=[SCALE_SLUG])
    except NoReverseMatch:
        dashboard = None

    # The floor of each page kind, for one user of each role.
    floors: dict[tuple[str, str], tuple[float, int]] = {}
    alone: dict[tuple[str, str], float] = {}  # one request at a time, in-process
    notes: list[str] = []
    for role in ROLES:
        visitor = next(v for v in visitors if v.role == role)
        pages = visitor.urls(random.Random(args.seed), dashboard, load=False)
        for kind, path in pages.items():
            seconds, count, status, took = _floor(path, visitor.cookie, args.floor_runs)
            if status != 200:
                notes.append(f"{kind} for a {role} answered {status} in-process ({path})")
                if kind == "indicator dashboard":
                    dashboard = None
                continue
            floors[(kind, role)] = (seconds, count)
            alone[(kind, role)] = took
            if role == "manager" and kind == "home":
                notes.append(
                    f"home for a manager (not in the load): {took * 1000:.0f} ms in-process, "
                    f"of which {seconds * 1000:.0f} ms SQL in {count} statements"
                )
    connection.close()

    port = _free_port()
    server_env = dict(env)
    if args.nice:  # the server's connections are named, so that their backends can be found
        server_env["DATABASE_URL"] = f"{url}?application_name={APPLICATION_NAME}"
    server = _start_gunicorn(server_env, args.workers, port)
    stop = threading.Event()
    if args.nice:
        _renice(server.pid, args.nice, url)
        threading.Thread(
            target=_keep_reniced, args=(server.pid, args.nice, url, stop), daemon=True
        ).start()
    results = Results()
    try:
        # One request per page kind and user first, so every worker has its caches warm.
        for visitor in visitors:
            for path in visitor.urls(random.Random(args.seed), dashboard).values():
                _get(port, path, visitor.cookie)
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=_user_loop,
                args=(v, port, until, args.think, args.seed + i, dashboard, results),
            )
            for i, v in enumerate(visitors)
        ]
        started = time.monotonic()
        load_before = os.getloadavg()[0]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(v) for v in results.times.values())
    errors = sum(results.errors.values())
    print(
        f"\noila web benchmark: {args.people:,} people, {args.users} users "
        f"({', '.join(f'{sum(v.role == r for v in visitors)} {r}s' for r in ROLES)}), "
        f"think time {args.think:g} s, {f'nice {args.nice}, ' if args.nice else ''}"
        f"gunicorn {args.workers} sync workers, {os.cpu_count()} cores, {wall:.0f} s"
    )
    print(
        f"{total:,} requests ({total / wall:.1f}/s), {errors} errors; machine load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other work on the same cores "
        "slows every figure)\n"
    )
    header = (
        f"{'page':<26} {'role':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'target':>7} {'alone':>6} {'SQL ms':>7} {'stmts':>5} {'p50/SQL':>7}"
    )
    print(header)
    print("-" * len(header))
    for kind, target in TARGETS_MS.items():
        for role in ROLES:
            times = results.times.get((kind, role), [])
            errs = results.errors.get((kind, role), 0)
            if not times:
                if kind == "indicator dashboard" and dashboard is None and role == "manager":
                    print(f"{kind:<26} {role:<10} (no results/{SCALE_SLUG}/ page in this build)")
                elif errs:
                    print(f"{kind:<26} {role:<10} {errs} errors, no successful request")
                continue
            p50, p95, p99 = (_percentile(times, p) * 1000 for p in (50, 95, 99))
            floor, count = floors.get((kind, role), (0.0, 0))
            ratio = f"{p50 / (floor * 1000):.1f}" if floor else "-"
            mark = "" if target is None else ("" if p95 <= target else "  MISSED")
            solo = alone.get((kind, role), 0.0) * 1000
            print(
                f"{kind:<26} {role:<10} {len(times):>5} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
                f"{target if target else '-':>7} {solo:>6.0f} {floor * 1000:>7.1f} {count:>5} "
                f"{ratio:>7}"
                f"{mark}{f'  ({errs} errors)' if errs else ''}"
            )
    print(
        "\nalone: the median time of the whole request in-process, one at a time (no queueing); "
        "SQL: the page's statements run straight on psycopg (the floor); p50/SQL: the ratio."
    )
    for note in notes:
        print(f"note: {note}")
    if results.error_samples:
        print("\nerrors, e.g.: " + "; ".join(results.error_samples))


if __name__ == "__main__":
    main()
