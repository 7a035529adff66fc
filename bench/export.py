"""Export benchmark: a million people to CSV through oila's exporter, beside PostgreSQL's own COPY.

    .venv/bin/python bench/export.py                    # the 1 000 000-people scale database
    .venv/bin/python bench/export.py --people 2000 --sizes 500,1000,2000

Uses the shared scale database (bench/_scale.py: built by `oila demo-data --scale N` when absent) and
only reads it. For each size (default 100 000, 500 000 and 1 000 000 rows) a fresh process exports
the people list as the programme manager sees it — the export's own code path (the list's selector
and visibility rule, `values_list(...).iterator(chunk_size)`, PINFL decryption, the CSV writer) —
and reports its time and its peak resident memory (ru_maxrss), which stays flat as rows grow
because nothing holds more than one chunk. Beside it, the floor: PostgreSQL's `COPY (the same query)
TO STDOUT` of the same rows, read by psycopg and thrown away (it sends PINFLs still encrypted, as
stored). Prints the ratio exporter / COPY. Also times the M&E officer's pseudonymised export of the
largest size. Target: 1 000 000 rows in at most 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def _setup(url: str) -> None:
    # The scale database was written with the demo's keys (OILA_DEMO, var/): the same env reads it.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="oila.settings",
        DATABASE_URL=url,
        OILA_DEMO="1",
        OILA_VAR_DIR=str(ROOT / "var"),
        OILA_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


def child(url: str, rows: int, username: str, floor: bool) -> dict[str, float]:
    """One measurement in this process: the exporter, or (floor) COPY of the same query."""
    _setup(url)
    from django.db import connection

    from oila.accounts.models import User
    from oila.transfer import exporting

    user = User.objects.get(username=username)
    qs = exporting.queryset_for(user, "people", {})[:rows]
    columns = exporting.columns_for(user, "people")
    started = time.monotonic()
    if floor:
        paths = list(dict.fromkeys(c.path for c in columns))
        sql, params = qs.values_list(*paths).query.sql_with_params()
        import psycopg

        raw = connection.cursor().connection
        literal = psycopg.ClientCursor(raw).mogrify(sql, params)
        size = count = 0
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY ({literal}) TO STDOUT (FORMAT csv)") as copy,
        ):
            for block in copy:
                size += len(block)
                count += bytes(block).count(b"\n")
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.csv"
            header = [str(c.label) for c in columns]
            count = exporting.write_csv(path, header, exporting.export_rows(qs, columns))
            size = path.stat().st_size
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": count, "seconds": seconds, "peak_mb": peak, "mb": size / 1e6}


def _run(url: str, rows: int, username: str, floor: bool) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", url, "--rows", str(rows), "--user", username]
    if floor:
        args.append("--floor")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="100000,500000,1000000")
    parser.add_argument("--child", default="")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--user", default="scale-manager")
    parser.add_argument("--floor", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows, args.user, args.floor)))
        return

    from _scale import ensure_scale_database

    url = ensure_scale_database(args.people)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"oila export benchmark: people list to CSV, scale database of {args.people:,} people")
    print(f"  {'rows':>9}  {'exporter':>9}  {'rows/s':>8}  {'peak RSS':>8}  {'COPY':>7}  ratio")
    for size in sizes:
        mine = _run(url, size, args.user, floor=False)
        copy = _run(url, size, args.user, floor=True)
        rate, ratio = mine["rows"] / mine["seconds"], mine["seconds"] / copy["seconds"]
        print(
            f"  {int(mine['rows']):>9,}  {mine['seconds']:>8.1f}s  {rate:>8.0f}"
            f"  {mine['peak_mb']:>6.0f}MB  {copy['seconds']:>6.1f}s  {ratio:5.1f}x"
            f"   ({mine['mb']:.0f} MB of CSV)"
        )
    largest = max(sizes)
    pseudo = _run(url, largest, "scale-me", floor=False)
    print(
        f"  M&E officer, pseudonymised: {int(pseudo['rows']):,} rows in {pseudo['seconds']:.1f} s, "
        f"peak RSS {pseudo['peak_mb']:.0f} MB"
    )
    verdict = "met" if mine["seconds"] <= 60 and largest >= 1_000_000 else "see above"
    print(f"  target ≤ 60 s for 1 000 000 rows: {verdict}")


if __name__ == "__main__":
    main()
