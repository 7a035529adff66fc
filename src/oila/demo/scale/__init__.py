"""`oila demo-data --scale N`: a realistic programme of N people on PostgreSQL, fast, for benchmarks.

The normal demo (oila.demo.build) writes a small programme through the services, one audit event per
change. That takes about a millisecond a record, an hour and more for a million people, so the scale
build generates the rows in Python and loads them with PostgreSQL's COPY, table by table, a chunk of
households at a time, inside one transaction (all or nothing). What the services would have derived is
derived here with the very functions they use:

- a person's search key, script and duplicate-detection blocking keys (oila.common.script.search_key,
  detect_script, oila.registry.matching.blocking_keys' name_keys), and the household's search key
  made of its name and its members' keys as registry.services.household_refresh_search makes it;
- PINFL encrypted with oila.common.crypto.encrypt and its HMAC with keyed_hash (for the adults that
  have one; most children's records in a programme register carry none);
- encrypted narratives (visit notes, referral reasons) with the same field encryption;
- case deadlines with oila.cases.deadlines from the programme's settings;
- owner fields (programme, team, caseworker) on households, people, cases and service deliveries, so
  the one visibility rule (registry.visibility.owned_scope) applies unchanged.

The audit chain gets one event, `demo.scale`, with the counts (and the service catalogue's own seed
event): a bulk load is one act, not a million, and `oila audit verify` passes.

Proportions (per household unless said; see PROPORTIONS): about 2.8 children (0-17), one or two
adults (72 % couples), a grandparent in 15 %, a young person (15-24) seeking work in 12 %; 2 % SOS
families (an SOS mother and her children in family-like care); a case for a third of households (70 %
family cases, 30 % child-protection cases), of which 60 % open; 2-10 visits a case, 1-3 CSI
assessments (12 scores each), an approved plan for cases past the planning step with 2-4 goals and
1-2 actions a goal, 0-6 services delivered, a referral for 40 % of cases; specialists 0.2 % of
people, each at 1-3 training events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from random import Random
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from oila.accounts.models import Programme
from oila.audit import services as audit
from oila.cases.models import CaseNumberCounter
from oila.demo.scale.base import (
    CASE_PREFIX,
    CHUNK_HOUSEHOLDS,
    PROPORTIONS,
    SCALE_SLUG,
    ScaleError,
    ScaleResult,
    Writer,
    _derived,
    _surnames,
)
from oila.demo.scale.config import _config
from oila.demo.scale.households import Generator
from oila.demo.scale.tables import COUNTED, Loader, _set_aside_indexes

__all__ = [
    "PROPORTIONS",
    "SCALE_SLUG",
    "ScaleError",
    "ScaleResult",
    "_derived",
    "_surnames",
    "add_arguments",
    "build_scale",
    "handle",
    "scale_exists",
]

# ---------------------------------------------------------------------------------------------------
# The build


def scale_exists() -> Programme | None:
    return Programme.objects.filter(slug=SCALE_SLUG).first()


def _counts(programme: Programme) -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for table in ("registry_household", "registry_person", "cases_case"):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE programme_id = %s", [programme.pk])  # noqa: S608  # nosec B608
            out[COUNTED[table]] = cursor.fetchone()[0]
    return out


def _load(
    gen: Generator,
    load: Loader,
    people: int,
    started: float,
    stdout: Writer,
    progress: Callable[[str], None] | None,
) -> dict[str, int]:
    specialists = max(1, round(people * PROPORTIONS["specialists"]))
    gen.specialists(load, specialists)
    target = people - specialists
    made = 0
    last_report = time.monotonic()
    while made < target:
        for _ in range(CHUNK_HOUSEHOLDS):
            before = len(load.rows["registry_person"])
            gen.household(load)
            made += len(load.rows["registry_person"]) - before
            if made >= target:
                break
        load.flush()
        now = time.monotonic()
        if now - last_report > 5 or made >= target:
            last_report = now
            line = (
                f"  {made + specialists:>10,} people, {load.counts['registry_household']:,} "
                f"households, {load.counts['cases_case']:,} cases  ({now - started:.0f} s)\n"
            )
            stdout.write(line)
            getattr(stdout, "flush", lambda: None)()
            if progress:
                progress(line)
    load.wait()
    return {COUNTED[t]: c for t, c in load.counts.items()}


def build_scale(
    *, people: int, seed: int = 2017, stdout: Writer, progress: Callable[[str], None] | None = None
) -> ScaleResult:
    """Build the scale programme of about `people` people (PostgreSQL only); a second run with the
    programme already there changes nothing."""
    if connection.vendor != "postgresql":
        raise ScaleError(
            "--scale loads data with PostgreSQL's COPY and needs a PostgreSQL database "
            "(set DATABASE_URL=postgres://…); the SQLite demo is `oila demo-data` without --scale."
        )
    if people < 100:
        raise ScaleError("--scale needs at least 100 people.")
    if "registry_person" not in connection.introspection.table_names():
        raise ScaleError("The database has no tables yet: run `oila migrate` on it first.")
    started = time.monotonic()
    existing = scale_exists()
    if existing is not None:
        stdout.write("The scale programme is already there; nothing was changed.\n")
        return ScaleResult(existing, False, _counts(existing), time.monotonic() - started)
    rng = Random(seed)  # noqa: S311 - synthetic data, seeded so one seed gives the same people
    today = timezone.localdate()
    stdout.write(f"Building a programme of {people:,} people (seed {seed})...\n")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Foreign keys checked as rows come (none queued to the commit); and no pending checks,
            # which would forbid the ALTER TABLEs below.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            restore = _set_aside_indexes(cursor)
        config = _config(people, stdout)
        gen = Generator(config, rng, today)
        load = Loader()
        try:
            counts = _load(gen, load, people, started, stdout, progress)
        finally:
            load.close()
        stdout.write(f"  rows loaded ({time.monotonic() - started:.0f} s); indexing...\n")
        getattr(stdout, "flush", lambda: None)()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in restore:
                cursor.execute(statement)
        for year, last in gen.numbers.items():
            counter, _ = CaseNumberCounter.objects.get_or_create(prefix=CASE_PREFIX, year=year)
            if counter.last < last:
                counter.last = last
                counter.save(update_fields=["last", "updated_at"])
        audit.record(
            actor=config.manager,
            action="demo.scale",
            target=config.programme,
            after={"people": people, "seed": seed, "counts": counts},
            note="Synthetic scale data loaded in bulk (oila demo-data --scale).",
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
    stdout.write(f"  loaded in {time.monotonic() - started:.0f} s; analysing...\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ScaleResult(config.programme, True, counts, time.monotonic() - started)


# ---------------------------------------------------------------------------------------------------
# The command's part (`oila demo-data --scale N [--database-url URL]`)


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="build instead a synthetic programme of N people for benchmarks (PostgreSQL only)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="with --scale: the PostgreSQL database to build it in (default: DATABASE_URL)",
    )


def _use_database(url: str) -> None:
    """Make another database the default one for this command (before any query), configured as
    settings.py configures DATABASE_URL's."""
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("postgresql"):
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    connections.close_all()
    settings.DATABASES["default"] = config
    connections.settings = connections.configure_settings(settings.DATABASES)
    del connections["default"]  # made again, for the new database, when next used


def handle(options: dict[str, Any], stdout: Writer) -> None:
    from django.core.management.base import CommandError

    if options.get("database_url"):
        _use_database(options["database_url"])
    try:
        result = build_scale(people=options["scale"], seed=options["seed"], stdout=stdout)
    except ScaleError as exc:
        raise CommandError(str(exc)) from exc
    if result.built:
        stdout.write(f"Built in {result.seconds:.1f} s.\n")
    stdout.write(
        "Scale programme: "
        + ", ".join(f"{count:,} {name}" for name, count in result.counts.items())
        + ".\n"
    )
