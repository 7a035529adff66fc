"""The benchmarks' shared scale database: `ensure_scale_database(people)` returns its DATABASE_URL.

    .venv/bin/python bench/_scale.py --people 1000000     # builds it (about 6 minutes here) if absent

The database is `oila_bench_<people>` on the local PostgreSQL (OILA_BENCH_PG, by default
postgres://postgres@127.0.0.1:5432). It is created when absent, migrated, filled by
`oila demo-data --scale <people>` and then marked complete in a one-row table, `bench_scale_marker`:
a second call (from any benchmark) finds the marker and reuses the database, migrated to this
checkout's schema. A build that stopped half-way leaves no marker; the next call drops the
database and builds it again.

The build runs in demo mode with this checkout's var/ (OILA_DEMO=1, OILA_VAR_DIR=var): its encrypted
fields and keyed hashes use the keys derived from var/secret-key. Whatever reads them must run with
the same keys: `bench_environment(url)` gives the variables (DATABASE_URL included).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

SERVER = os.environ.get("OILA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ROOT = Path(__file__).resolve().parent.parent
OILA = ROOT / ".venv" / "bin" / "oila"


def database_url(people: int) -> str:
    return f"{SERVER.rstrip('/')}/oila_bench_{people}"


def _is_complete(url: str, people: int) -> bool:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT people FROM bench_scale_marker WHERE people = %s", [people]
            ).fetchone()
            return row is not None
    except (psycopg.errors.UndefinedTable, psycopg.OperationalError):
        return False


def bench_environment(url: str) -> dict[str, str]:
    """The environment variables to run oila against the scale database (the build's keys)."""
    return {"DATABASE_URL": url, "OILA_DEMO": "1", "OILA_VAR_DIR": str(ROOT / "var")}


def _env(url: str) -> dict[str, str]:
    return {**os.environ, **bench_environment(url)}


def ensure_scale_database(people: int) -> str:
    """The URL of a migrated database holding the scale programme of `people` people."""
    url = database_url(people)
    if _is_complete(url, people):
        # Built by an earlier checkout: bring its schema up to this one's (new indexes, say).
        subprocess.run([str(OILA), "migrate", "--no-input", "-v", "0"], env=_env(url), check=True)
        return url
    name = f"oila_bench_{people}"
    with psycopg.connect(f"{SERVER.rstrip('/')}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"Building {name} ({people:,} people)...", file=sys.stderr, flush=True)
    started = time.monotonic()
    env = _env(url)
    subprocess.run([str(OILA), "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([str(OILA), "demo-data", "--scale", str(people)], env=env, check=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_scale_marker (people integer PRIMARY KEY, built_at timestamptz, "
            "seconds double precision)"
        )
        conn.execute(
            "INSERT INTO bench_scale_marker VALUES (%s, now(), %s)",
            [people, time.monotonic() - started],
        )
    print(f"{name} ready in {time.monotonic() - started:.0f} s.", file=sys.stderr, flush=True)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args()
    print(ensure_scale_database(args.people))


if __name__ == "__main__":
    main()
