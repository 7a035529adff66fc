"""The synthetic Khorezm programme: configuration, logins and a registry matching DOMAIN.md §1.

Configuration (organisations, the programme, teams, mahallas, users) is created directly, as an
administrator would set it up. Registry data (households, people, memberships, enrolments, care
arrangements, consents) goes through oila.registry.services, acting as the caseworker the household is
assigned to, so every record has its audit event like any other.

The beneficiary table is reproduced exactly: the counts are decided first and the families are then
drawn around them with a seeded random generator, so one seed always gives the same people.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from random import Random
from typing import Protocol

from django.db import transaction
from django.test.utils import override_settings

from oila.accounts.models import Programme, User
from oila.demo.activity import activity_exists, build_activity
from oila.demo.config import TEAMS, Login, Setup, ensure_logins, ensure_services, ensure_setup
from oila.demo.families import ProgrammePlanner
from oila.demo.plan import HOUSEHOLD_PREFIX, PERSON_PREFIX, Action, HouseholdPlan, MemberPlan
from oila.registry import services as registry
from oila.registry.models import Household, Person

DEFAULT_SEED = 2017
SILENT_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


class Writer(Protocol):
    """Where progress goes: a command's stdout or any text stream."""

    def write(self, text: str, /) -> object: ...


@dataclass
class DemoResult:
    programme: Programme
    built: bool  # the registry data was created by this run (False: it was already there)
    password: str | None  # the password set on some logins by this run; None when none was set
    generated: bool  # that password was generated (not given with --password)
    logins: list[Login] = field(default_factory=list)
    seconds: float = 0.0


# --- writing the registry through its services ---------------------------------------------------


def _team_of(soato: str) -> str:
    return next(name for name, soatos in TEAMS.items() if soato in soatos)


def _write_registry(
    setup: Setup,
    households: list[HouseholdPlan],
    specialists: list[MemberPlan],
    caseworkers: dict[str, User],
    manager: User,
) -> None:
    programme = setup.programme
    written: dict[str, Household] = {}
    actor_of: dict[str, User] = {}
    for plan in households:
        actor = caseworkers[_team_of(plan.district.soato)]
        members = [
            {**m.data, "external_id": m.key, "relationship": m.relationship} for m in plan.members
        ]
        household = registry.household_register(
            actor=actor, data=plan.data, members=members, programme=programme
        )
        for m in plan.late_members:
            registry.person_create(
                actor=actor,
                data={**m.data, "external_id": m.key},
                household=household,
                relationship=m.relationship,
                started_on=m.started_on,
            )
        written[plan.key] = household
        for m in plan.members + plan.late_members:
            actor_of[m.key] = actor
    # Specialists belong to no household; the programme manager registers them.
    for m in specialists:
        registry.person_create(
            actor=manager, data={**m.data, "external_id": m.key}, programme=programme
        )
        actor_of[m.key] = manager

    people = {
        p.external_id: p
        for p in Person.objects.filter(
            programme=programme, external_id__startswith=PERSON_PREFIX
        ).select_related("programme")
    }
    for m in [m for plan in households for m in plan.members + plan.late_members] + specialists:
        for action in m.actions:
            _apply(action, people[m.key], actor_of[m.key], programme, written)


def _apply(
    action: Action,
    person: Person,
    actor: User,
    programme: Programme,
    households: dict[str, Household],
) -> None:
    data = dict(action.data)
    if action.kind == "enrol":
        registry.enrolment_create(actor=actor, programme=programme, person=person, **data)
    elif action.kind == "care":
        if "caregiver_household" in data:
            data["caregiver_household"] = households[data["caregiver_household"]]
        registry.care_arrangement_record(actor=actor, person=person, data=data)
    elif action.kind == "consent":
        withdrawn_on = data.pop("withdrawn_on", None)
        consent = registry.consent_record(actor=actor, person=person, data=data)
        if withdrawn_on is not None:
            registry.consent_withdraw(actor=actor, consent=consent, withdrawn_on=withdrawn_on)
    else:  # pragma: no cover - a planning mistake
        raise ValueError(action.kind)


def _install_results_framework(programme: Programme) -> None:
    """The programme's default results framework (oila.results), where that app provides one;
    installing it again leaves what exists as it is."""
    from oila.results import services as results

    install = getattr(results, "framework_install_default", None)
    if install is not None:
        actor = User.objects.filter(username="meofficer").first() or User.objects.get(
            username="manager"
        )
        install(actor=actor, programme=programme)


def demo_exists(programme: Programme) -> bool:
    return Household.objects.filter(
        programme=programme, external_id__startswith=HOUSEHOLD_PREFIX
    ).exists()


def build_demo(
    *, seed: int = DEFAULT_SEED, password: str | None = None, stdout: Writer
) -> DemoResult:
    """Create (or complete) the demo programme; a second run changes nothing but passwords asked for."""
    started = time.monotonic()
    # The history's notifications are in the inboxes, but not e-mailed: they happened in the past.
    with override_settings(EMAIL_BACKEND=SILENT_EMAIL), transaction.atomic():
        setup = ensure_setup()
        logins, password_used, generated = ensure_logins(setup, password)
        ensure_services(setup, User.objects.get(username="admin"))
        built = not demo_exists(setup.programme)
        if built:
            stdout.write(f"Building the synthetic Khorezm programme (seed {seed})...\n")
            # Not for secrets: a seeded generator, so one seed always gives the same people.
            rng = Random(seed)  # noqa: S311
            planner = ProgrammePlanner(rng, setup.districts, setup.mahallas)
            households, specialists = planner.plan()
            users = {
                u.username: u
                for u in User.objects.filter(username__in=["caseworker1", "caseworker2", "manager"])
            }
            _write_registry(
                setup,
                households,
                specialists,
                caseworkers={"Urganch": users["caseworker1"], "Xiva": users["caseworker2"]},
                manager=users["manager"],
            )
        else:
            stdout.write(
                "The demo households are already there; the registry was left unchanged.\n"
            )
        if not activity_exists(setup.programme):
            stdout.write("Replaying the programme's history (2017 to today)...\n")
            build_activity(
                programme=setup.programme,
                seed=seed,
                on_step=lambda line: stdout.write(line + "\n"),
            )
        _install_results_framework(setup.programme)
    return DemoResult(
        programme=setup.programme,
        built=built,
        password=password_used if any(login.password_set for login in logins) or password else None,
        generated=generated,
        logins=logins,
        seconds=time.monotonic() - started,
    )


def iter_login_table(result: DemoResult) -> Iterator[str]:
    """The logins as the demo prints them at the end (`make demo` shows this to the user)."""
    width = max(len(login.username) for login in result.logins)
    role_width = max(len(login.role) for login in result.logins)
    yield "Demo logins:"
    yield f"  {'username':<{width}}  {'role':<{role_width}}  team / organisation"
    for login in result.logins:
        yield f"  {login.username:<{width}}  {login.role:<{role_width}}  {login.where}"
    if result.password is None:
        yield "Passwords were left unchanged (run again with --password to set them)."
    elif result.generated and not all(login.created for login in result.logins):
        new = ", ".join(login.username for login in result.logins if login.created)
        yield f"Password of the new logins ({new}): {result.password}"
        yield "The other logins' passwords were left unchanged."
    else:
        label = "generated password" if result.generated else "password"
        yield f"The {label} of every login: {result.password}"
