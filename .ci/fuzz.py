"""Fuzz the REST API from its OpenAPI description (/api/schema/) as a signed-in caseworker.

A throw-away SQLite var directory gets the migrations and the demo programme, a live server
(gunicorn) starts on a free local port, the demo caseworker gets an API token, and schemathesis
sends generated requests to every operation. It fails on a server error (5xx) or a response that
does not match the schema. Nothing is downloaded: the schema comes from the server under test.

Usage: python .ci/fuzz.py [--user LOGIN]... [--examples N] [--max-time SECONDS]
                          [--total-time SECONDS] [--var DIR] [--keep]
(`.ci/run` runs a bounded pass as the caseworker; `make fuzz` a longer one, also as a partner.)
The ids of a few records each user may see are given to the {id} operations (schemathesis.toml in
the var directory), so that they reach their code rather than answer 404 to random ids.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
USERNAME = "caseworker1"  # the demo's caseworker: has households, cases, plans and referrals

# Ids of real records the caseworker may see, so that the {id} operations reach their code instead
# of answering 404 to random UUIDs: one record per collection, printed as JSON by `oila shell`.
FIND_IDS = """
import json
from django.db.models import Q
from oila.accounts.models import Programme, User
from oila.assessments.models import Assessment, Instrument
from oila.cases.models import Case
from oila.plans.models import Plan
from oila.registry.models import Person
from oila.registry.visibility import owned_scope
from oila.support.models import Referral, ServiceDelivery, ServiceType
from oila.training.models import TrainingEvent
from oila.youth.models import FollowUp, Placement, YouthTraining

user = User.objects.get(username=USERNAME)
cases = Case.objects.filter(owned_scope(user))
people = Person.objects.filter(owned_scope(user))
programme = user.team.programme if user.team else Programme.objects.order_by("pk").first()
def first(qs):
    row = qs.order_by("pk").values_list("pk", flat=True).first()
    return str(row) if row else None
case = first(cases.filter(status="open", plans__isnull=False)) or first(cases)
print(json.dumps({
    "cases": case,
    "households": str(Case.objects.get(pk=case).household_id) if case else None,
    "people": first(people),
    "plans": first(Plan.objects.filter(case__in=cases)),
    "assessments": first(Assessment.objects.filter(case__in=cases)),
    "deliveries": first(ServiceDelivery.objects.filter(case__in=cases)),
    "referrals": first(Referral.objects.filter(case__in=cases)),
    "instruments": first(Instrument.objects.all()),
    "service-types": first(ServiceType.objects.filter(programme=programme)),
    "notifications": first(user.notifications.all()),
    "training/events": first(TrainingEvent.objects.filter(programme=programme)),
    "training/specialists": first(
        Person.objects.filter(enrolments__group="specialist", enrolments__programme=programme)
    ),
    "partner/referrals": first(Referral.objects.filter(to_organisation=user.organisation_id)),
    "youth/trainings": first(YouthTraining.objects.filter(person__in=people)),
    "youth/placements": first(Placement.objects.filter(person__in=people)),
    "youth/follow-ups": first(FollowUp.objects.filter(placement__person__in=people)),
}))
"""


def config(ids: dict[str, str | None]) -> str:
    """A schemathesis.toml giving each collection's {id} operations one real record's id."""
    lines = []
    for collection, pk in sorted(ids.items()):
        if not pk:
            continue
        pattern = "^/api/v1/" + collection + "/\\{id\\}/"  # a TOML literal string: no escapes
        lines += ["[[operations]]", f"include-path-regex = '{pattern}'",
                  f'parameters = {{ "path.id" = "{pk}" }}', ""]  # fmt: skip
    if ids.get("cases"):
        # the lists of a case's assessments and plans need the case
        lines += ["[[operations]]", 'include-path-regex = "^/api/v1/(assessments|plans)/$"',
                  f'parameters = {{ "query.case" = "{ids["cases"]}" }}', ""]  # fmt: skip
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oila(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own venv's command, arguments we wrote
        [str(BIN / "oila"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"the server did not answer {url} within {seconds:.0f} s"
                ) from None
            time.sleep(0.5)


def server_errors(path: Path) -> str:
    """The tracebacks in the server's log (its 404s and 400s are expected and left out)."""
    lines = path.read_text(errors="replace").splitlines()
    keep: list[str] = []
    inside = False
    for line in lines:
        if line.startswith(("Internal Server Error", "Traceback")):
            inside = True
        elif inside and line and not line.startswith((" ", "Traceback", "During", "The above")):
            keep.append(line)
            inside = False
            continue
        if inside:
            keep.append(line)
    return "\n".join(keep[-400:])


def prepare_user(env: dict[str, str], var: Path, username: str) -> tuple[str, Path]:
    """The user's API token and a schemathesis config with the ids of records they may see."""
    saved = var / f"fuzz-{username}.json"
    if not saved.exists():
        token = oila(
            env,
            "shell",
            "-c",
            "from rest_framework.authtoken.models import Token; "
            "from oila.accounts.models import User; "
            f"print(Token.objects.get_or_create(user=User.objects.get(username={username!r}))"
            "[0].key)",
        )
        found = oila(env, "shell", "-c", f"USERNAME = {username!r}\n" + FIND_IDS)
        ids = json.loads(found.strip().splitlines()[-1])
        saved.write_text(json.dumps({"token": token.strip().splitlines()[-1], "ids": ids}))
    data = json.loads(saved.read_text())
    path = var / f"schemathesis-{username}.toml"
    path.write_text(config(data["ids"]))
    print(
        f"{username}: records to fuzz:", ", ".join(k for k, v in sorted(data["ids"].items()) if v)
    )
    return data["token"], path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10, help="test cases per operation")
    parser.add_argument("--max-time", type=int, default=120, help="time budget per user")
    parser.add_argument(
        "--total-time",
        type=int,
        help="a bound on the whole run: the fuzzing gets what the set-up left (at least 30 s)",
    )
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--user",
        action="append",
        help=f"a demo login to fuzz as (repeatable; default {USERNAME}; e.g. partner1)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the var directory")
    parser.add_argument("--var", help="use (and keep) this var directory")
    args = parser.parse_args()

    var = Path(args.var) if args.var else Path(tempfile.mkdtemp(prefix="oila-fuzz."))
    (var / "static").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(OILA_DEMO="1", OILA_VAR_DIR=str(var), SCHEMATHESIS_TELEMETRY="false")
    server = None
    try:
        t0 = time.monotonic()
        oila(env, "migrate", "--no-input")
        if not (var / "fuzz-demo-ready").exists():
            oila(env, "demo-data", "--password", "fuzz-" + os.urandom(8).hex())
            (var / "fuzz-demo-ready").write_text("")
        users = [(u, *prepare_user(env, var, u)) for u in (args.user or [USERNAME])]
        print(f"database and demo data ready in {time.monotonic() - t0:.0f} s ({var})")
        log = (var / "server.log").open("w")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
            [str(BIN / "gunicorn"), "oila.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
             "--timeout", "60", "--log-level", "warning"],
            env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(f"{base}/healthz", 60)
        failed = []
        budget = args.max_time
        if args.total_time:
            left = args.total_time - (time.monotonic() - t0) - 10 * len(users)
            budget = max(30, min(budget, int(left / len(users))))
            print(f"fuzzing for {budget} s per user (of --total-time {args.total_time} s)")
        for username, token, config_file in users:
            command = [
                str(BIN / "schemathesis"), "--config-file", str(config_file),
                "run", f"{base}/api/schema/",
                "--header", f"Authorization: Token {token}",
                "--checks", "not_a_server_error,response_schema_conformance",
                "--max-examples", str(args.examples),
                "--max-time", str(budget),
                "--seed", str(args.seed),
                "--phases", "examples,coverage,fuzzing",
                "--workers", "1",  # hypothesis is not thread-safe in every part
                "--request-timeout", "30",
                "--suppress-health-check", "all",
                "--continue-on-failure",
                "--no-color",
            ]  # fmt: skip
            print(f"== fuzzing as {username}")
            # In the var directory: schemathesis keeps a cache (.schemathesis/) where it runs.
            rc = subprocess.run(command, env=env, check=False, cwd=var).returncode  # noqa: S603
            if rc != 0:
                failed.append(username)
        log.flush()
        errors = server_errors(var / "server.log")
        if errors:
            print("The server's tracebacks:\n" + errors)
        print("fuzzing:", f"FAILED as {', '.join(failed)}" if failed else "no failure")
        return 1 if failed else 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        if not (args.keep or args.var):
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
