"""The scale programme's configuration: organisations, teams, users (a few thousand rows, by the ORM)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password

from oila.accounts.models import Organisation, Programme, Role, Team, User
from oila.assessments.models import Instrument, Item
from oila.demo import names as n
from oila.demo.config import DISTRICT_WEIGHTS
from oila.demo.scale.base import (
    CASE_PREFIX,
    CASEWORKERS_PER_TEAM,
    HOUSEHOLDS_PER_CASEWORKER,
    OFFERS,
    PARTNER_KINDS,
    SCALE_SLUG,
    START,
    ScaleError,
    Writer,
)
from oila.geo.models import District, Mahalla
from oila.support import services as support_services
from oila.support.models import OrganisationService, ServiceType


@dataclass
class Config:
    programme: Programme
    ngo: Organisation
    partners: dict[str, list[Organisation]]  # by district SOATO, one per partner kind
    districts: list[District]
    mahallas: dict[str, list[str]]  # SOATO → mahalla ids
    caseworkers: list[tuple[str, str, str]]  # (user id, team id, district SOATO)
    supervisors: dict[str, str]  # team id → user id
    manager: User
    csi: Instrument
    csi_items: list[str]  # item ids, in order
    service_types: dict[str, str]  # code → id
    service_names: dict[str, str]  # code → name in the deployment's language (timeline lines)
    offers: dict[str, list[str]]  # partner kind → service type codes


def _config(people: int, stdout: Writer) -> Config:
    districts = list(District.objects.filter(region__soato="1733").order_by("soato"))
    if len(districts) != len(DISTRICT_WEIGHTS):
        raise ScaleError("The 13 Khorezm districts are missing: run `oila migrate` first.")
    by_soato = {d.soato: d for d in districts}
    ngo, _ = Organisation.objects.get_or_create(
        name="Oila national programme NGO",
        defaults={"type": Organisation.Type.PROGRAMME_NGO, "district": by_soato["1733401"]},
    )
    programme = Programme.objects.create(
        name="National family strengthening (scale data)",
        slug=SCALE_SLUG,
        organisation=ngo,
        description="Synthetic programme for benchmarks (oila demo-data --scale).",
        starts_on=START,
        settings={"case_number_prefix": CASE_PREFIX},
    )
    programme.districts.set(districts)
    partners: dict[str, list[Organisation]] = {}
    for d in districts:
        partners[d.soato] = [
            Organisation.objects.get_or_create(
                name=f"{d.name_uz} — {kind} (scale)",
                defaults={"type": kind, "district": d},
            )[0]
            for kind in PARTNER_KINDS
        ]
    mahallas: dict[str, list[str]] = {}
    for d in districts:
        existing = {m.name_uz: m for m in Mahalla.objects.filter(district=d)}
        ids = []
        for base in n.MAHALLAS:
            name = f"{base} MFY"
            m = existing.get(name) or Mahalla.objects.create(
                district=d,
                name_uz=name,
                name_uz_cyrl=f"{n.to_cyrillic(base)} МФЙ",
                name_ru=f"{n.to_cyrillic(base, russian_style=True)} МСГ",
            )
            ids.append(str(m.pk))
        mahallas[d.soato] = ids

    households = max(1, round(people / 4.9))
    n_caseworkers = max(2, -(-households // HOUSEHOLDS_PER_CASEWORKER))
    total_weight = sum(DISTRICT_WEIGHTS.values())
    password = make_password(None)  # unusable: scale users sign in only through bench sessions
    caseworkers: list[tuple[str, str, str]] = []
    supervisors: dict[str, str] = {}
    users: list[User] = []
    team_rows: list[tuple[Team, str]] = []
    given = 0
    for index, d in enumerate(districts):
        share = (
            n_caseworkers - given
            if index == len(districts) - 1
            else max(1, round(n_caseworkers * DISTRICT_WEIGHTS[d.soato] / total_weight))
        )
        share = max(1, share)
        given += share
        teams = max(1, -(-share // CASEWORKERS_PER_TEAM))
        for t in range(teams):
            team = Team(programme=programme, name=f"{d.name_uz} {t + 1}")
            team_rows.append((team, d.soato))
    Team.objects.bulk_create([t for t, _ in team_rows])
    for team, soato in team_rows:
        team.districts.add(by_soato[soato])
    # Spread the caseworkers over the teams of their district.
    per_district: dict[str, list[Team]] = {}
    for team, soato in team_rows:
        per_district.setdefault(soato, []).append(team)
    given = 0
    number = 0
    for index, d in enumerate(districts):
        share = (
            n_caseworkers - given
            if index == len(districts) - 1
            else max(1, round(n_caseworkers * DISTRICT_WEIGHTS[d.soato] / total_weight))
        )
        share = max(1, share)
        given += share
        teams = per_district[d.soato]
        for i in range(share):
            number += 1
            team = teams[i % len(teams)]
            user = User(
                username=f"scale-cw-{number:05d}",
                email=f"scale-cw-{number:05d}@scale.oila.invalid",
                first_name=n.FEMALE_NAMES[number % len(n.FEMALE_NAMES)],
                last_name=n.feminine(n.SURNAMES[number % len(n.SURNAMES)]),
                role=Role.CASEWORKER,
                organisation=ngo,
                team=team,
                password=password,
            )
            users.append(user)
            caseworkers.append((str(user.pk), str(team.pk), d.soato))
    for number, (team, _soato) in enumerate(team_rows, start=1):
        user = User(
            username=f"scale-sv-{number:04d}",
            email=f"scale-sv-{number:04d}@scale.oila.invalid",
            first_name=n.MALE_NAMES[number % len(n.MALE_NAMES)],
            last_name=n.SURNAMES[number % len(n.SURNAMES)],
            role=Role.SUPERVISOR,
            organisation=ngo,
            team=team,
            password=password,
        )
        users.append(user)
        supervisors[str(team.pk)] = str(user.pk)
    staff = [
        ("scale-manager", Role.MANAGER),
        ("scale-me", Role.ME_OFFICER),
        ("scale-dpo", Role.DPO),
    ]
    for username, role in staff:
        users.append(
            User(
                username=username,
                email=f"{username}@scale.oila.invalid",
                first_name="Scale",
                last_name=str(role),
                role=role,
                organisation=ngo,
                password=password,
            )
        )
    User.objects.bulk_create(users, batch_size=2000)
    by_name = {u.username: u for u in users}
    for username, _role in staff:
        by_name[username].programmes.add(programme)
    manager = by_name["scale-manager"]
    stdout.write(
        f"  configuration: {len(team_rows)} teams, {len(caseworkers)} caseworkers, "
        f"{len(supervisors)} supervisors\n"
    )

    support_services.service_catalogue_seed(programme=programme, actor=manager)
    types = {t.code: str(t.pk) for t in ServiceType.objects.filter(programme=programme)}
    type_objects = {t.code: t for t in ServiceType.objects.filter(programme=programme)}
    OrganisationService.objects.bulk_create(
        [
            OrganisationService(organisation=org, service_type=type_objects[code])
            for orgs in partners.values()
            for kind, org in zip(PARTNER_KINDS, orgs, strict=True)
            for code in OFFERS[kind]
            if code in type_objects
        ],
        ignore_conflicts=True,
    )
    csi = Instrument.objects.filter(code="csi", active=True).order_by("-version").first()
    if csi is None:
        raise ScaleError("The CSI instrument is missing: run `oila migrate` first.")
    items = [
        str(pk)
        for pk in Item.objects.filter(instrument=csi).order_by("order").values_list("pk", flat=True)
    ]
    return Config(
        programme=programme,
        ngo=ngo,
        partners=partners,
        districts=districts,
        mahallas=mahallas,
        caseworkers=caseworkers,
        supervisors=supervisors,
        manager=manager,
        csi=csi,
        csi_items=items,
        service_types=types,
        service_names={c: t.name_in(settings.LANGUAGE_CODE) for c, t in type_objects.items()},
        offers={k: [c for c in v if c in types] for k, v in OFFERS.items()},
    )
