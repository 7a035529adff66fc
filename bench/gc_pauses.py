"""Garbage-collector pauses in a process serving oila's pages, with and without gc.freeze (ADR 0020).

    .venv/bin/python bench/gc_pauses.py                  # 1 000 000 people, 40 s of each
    .venv/bin/python bench/gc_pauses.py --people 100000 --seconds 20

For each mode a fresh process loads Django as `oila.wsgi` would (mode "load": with its gc.freeze;
mode "none": without), then serves the web benchmark's pages (bench/web.py: the same users and
page kinds, in-process through Django's test client, one at a time) for --seconds, timing every
collection with gc.callbacks. Prints, per generation, how many collections ran, their median and
longest pause, and how many requests were served.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scale import ensure_scale_database


def child(people: int, seconds: float, freeze: bool) -> dict[str, object]:
    import web  # bench/web.py: visitors, sessions, page kinds

    os.environ.update(web._environment(ensure_scale_database(people)))
    warnings.filterwarnings("ignore")
    if freeze:
        import oila.wsgi  # noqa: F401  # loads Django, then gc.freeze()
    else:
        import django

        django.setup()
    from django.test import Client

    visitors = web._visitors(6, random.Random(7))
    clients = []
    for visitor in visitors:
        name, value = visitor.cookie.split("=", 1)
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.cookies[name] = value
        clients.append((visitor, client))
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append(time.perf_counter() - started[0])

    gc.callbacks.append(timer)
    rng, served, until = random.Random(3), 0, time.monotonic() + seconds
    while time.monotonic() < until:
        visitor, client = rng.choice(clients)
        client.get(rng.choice(list(visitor.urls(rng, None, load=False).values())))
        served += 1
    gc.callbacks.remove(timer)
    return {
        "served": served,
        "generations": {
            str(g): [len(p), statistics.median(p) * 1000 if p else 0, max(p, default=0) * 1000]
            for g, p in pauses.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--child", choices=("none", "load"), default="")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.people, args.seconds, args.child == "load")))
        return
    ensure_scale_database(args.people)
    print(f"oila garbage-collector pauses: {args.people:,} people, {args.seconds:g} s per mode")
    print(f"{'gc.freeze':<12} {'gen':>3} {'collections':>11} {'median ms':>10} {'max ms':>8}")
    for mode in ("none", "load"):
        out = subprocess.run(
            [sys.executable, __file__, "--people", str(args.people), "--seconds",
             str(args.seconds), "--child", mode],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        result = json.loads(out.strip().splitlines()[-1])
        for gen, (count, median, longest) in result["generations"].items():
            print(f"{mode:<12} {gen:>3} {count:>11} {median:>10.1f} {longest:>8.1f}")
        print(f"{mode:<12} requests served: {result['served']}")


if __name__ == "__main__":
    main()
