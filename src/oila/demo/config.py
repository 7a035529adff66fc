"""The demo programme's configuration: organisations, the programme, teams, mahallas and logins.

These are set up directly, as an administrator would; they are looked up before being created, so a
second run finds them and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password, make_password

from oila.accounts.models import Organisation, Programme, Role, Team, User
from oila.demo import names as n
from oila.geo.models import District, Mahalla
from oila.support import services
from oila.support.models import OrganisationService, ServiceType

PROGRAMME_SLUG = "khorezm"
PROGRAMME_START = dt.date(2017, 1, 1)
PROGRAMME_END = dt.date(2026, 12, 31)

NGO_NAME = "Oila Khorezm NGO"
PARTNERS = [
    # (key, name, type, district SOATO)
    ("guardianship", "Xorazm viloyati vasiylik va homiylik organi", "guardianship", "1733401"),
    ("school", "Urganch shahar 12-umumtaʼlim maktabi", "school", "1733401"),
    ("health", "Xiva tumani oilaviy poliklinikasi", "health", "1733226"),
    ("mahalla", "Navroʻz MFY fuqarolar yigʻini", "mahalla", "1733217"),
    ("employer", "Gulshan tikuv MChJ", "employer", "1733401"),
    ("training", "Urganch kasb-hunar oʻquv markazi", "training", "1733401"),
]

# Team 1 covers Urganch and the north and east, team 2 Xiva and the south and west.
TEAMS = {
    "Urganch": ["1733401", "1733217", "1733208", "1733236", "1733230", "1733223", "1733204"],
    "Xiva": ["1733406", "1733226", "1733212", "1733233", "1733220", "1733221"],
}
# Rough relative population, for spreading the households beyond the minimum per district.
DISTRICT_WEIGHTS = {
    "1733204": 3, "1733208": 3, "1733212": 3, "1733217": 4, "1733220": 4, "1733221": 2,
    "1733223": 3, "1733226": 3, "1733230": 3, "1733233": 2, "1733236": 2, "1733401": 5,
    "1733406": 2,
}  # fmt: skip

# (username, role, team name or "", organisation key, given name, family name)
LOGINS = [
    ("caseworker1", Role.CASEWORKER, "Urganch", "ngo", "Dilnoza", "Rahimova"),
    ("caseworker2", Role.CASEWORKER, "Xiva", "ngo", "Jasur", "Masharipov"),
    ("supervisor1", Role.SUPERVISOR, "Urganch", "ngo", "Gulnora", "Sobirova"),
    ("manager", Role.MANAGER, "", "ngo", "Alisher", "Yusupov"),
    ("meofficer", Role.ME_OFFICER, "", "ngo", "Nodira", "Atayeva"),
    ("partner1", Role.PARTNER, "", "school", "Feruza", "Otajonova"),
    ("dpo", Role.DPO, "", "ngo", "Rustam", "Davletov"),
    ("admin", Role.ADMIN, "", "ngo", "", ""),
]
PROGRAMME_ROLES = {Role.MANAGER, Role.ME_OFFICER, Role.DPO}


@dataclass
class Login:
    username: str
    role: str
    where: str
    created: bool
    password_set: bool


@dataclass
class Setup:
    programme: Programme
    organisations: dict[str, Organisation]
    teams: dict[str, Team]
    districts: list[District]
    mahallas: dict[str, list[Mahalla]]


def _ensure_organisations(districts: dict[str, District]) -> dict[str, Organisation]:
    orgs = {
        "ngo": Organisation.objects.get_or_create(
            name=NGO_NAME,
            defaults={"type": Organisation.Type.PROGRAMME_NGO, "district": districts["1733401"]},
        )[0]
    }
    for key, name, kind, soato in PARTNERS:
        orgs[key] = Organisation.objects.get_or_create(
            name=name, defaults={"type": kind, "district": districts[soato]}
        )[0]
    return orgs


def _ensure_mahallas(districts: list[District]) -> dict[str, list[Mahalla]]:
    """Three to five mahallas per district, the same ones whatever the seed (they are configuration)."""
    existing: dict[tuple[str, str], Mahalla] = {
        (m.district_id.hex, m.name_uz): m for m in Mahalla.objects.filter(district__in=districts)
    }
    out: dict[str, list[Mahalla]] = {}
    for index, district in enumerate(districts):
        out[district.soato] = []
        for j in range(3 + index % 3):
            base = n.MAHALLAS[(index * 2 + j * 7) % len(n.MAHALLAS)]
            name = f"{base} MFY"
            mahalla = existing.get((district.pk.hex, name))
            if mahalla is None:
                mahalla = Mahalla.objects.create(
                    district=district,
                    name_uz=name,
                    name_uz_cyrl=f"{n.to_cyrillic(base)} МФЙ",
                    name_ru=f"{n.to_cyrillic(base, russian_style=True)} МСГ",
                )
            out[district.soato].append(mahalla)
    return out


def ensure_setup() -> Setup:
    districts = list(District.objects.filter(region__soato="1733").order_by("soato"))
    if len(districts) != len(DISTRICT_WEIGHTS):
        raise RuntimeError("The 13 Khorezm districts are missing: run `oila migrate` first.")
    by_soato = {d.soato: d for d in districts}
    orgs = _ensure_organisations(by_soato)
    programme, created = Programme.objects.get_or_create(
        slug=PROGRAMME_SLUG,
        defaults={
            "name": "Khorezm family strengthening",
            "organisation": orgs["ngo"],
            "description": (
                "Family strengthening and community-based child protection in Khorezm region, "
                "so that children stay in, or return to, family care (synthetic demo data)."
            ),
            "starts_on": PROGRAMME_START,
            "ends_on": PROGRAMME_END,
        },
    )
    if created:
        programme.districts.set(districts)
    teams = {}
    for name, soatos in TEAMS.items():
        team, created = Team.objects.get_or_create(programme=programme, name=name)
        if created:
            team.districts.set([by_soato[s] for s in soatos])
        teams[name] = team
    return Setup(programme, orgs, teams, districts, _ensure_mahallas(districts))


def ensure_logins(setup: Setup, password: str | None) -> tuple[list[Login], str | None, bool]:
    """One login per role. Passwords: set to --password when given (only where it differs), else
    generated for logins created now, else left alone."""
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in LOGINS])}
    missing = [row[0] for row in LOGINS if row[0] not in users]
    generated = False
    if password is None and missing:
        password, generated = "khorezm-" + secrets.token_urlsafe(9), True
    encoded = make_password(password) if password is not None else None
    checked: dict[str, bool] = {}  # logins sharing one hash are checked once (hashing is slow)
    logins = []
    for username, role, team_name, org_key, given, family in LOGINS:
        wanted: dict[str, Any] = {
            "role": role,
            "team": setup.teams[team_name] if team_name else None,
            "organisation": setup.organisations[org_key],
            "first_name": given,
            "last_name": family,
            "is_staff": role == Role.ADMIN,
            "is_superuser": role == Role.ADMIN,
            "is_active": True,
        }
        user = users.get(username)
        created = user is None
        password_set = False
        if user is None:
            user = User(username=username, email=f"{username}@demo.oila.invalid", **wanted)
            user.password = encoded or make_password(None)
            user.save(force_insert=True)
            password_set = encoded is not None
        else:
            changed = [k for k, v in wanted.items() if getattr(user, k) != v]
            for k in changed:
                setattr(user, k, wanted[k])
            if password is not None and encoded is not None and not generated:
                if user.password not in checked:
                    checked[user.password] = check_password(password, user.password)
                if not checked[user.password]:
                    user.password = encoded
                    changed.append("password")
                    password_set = True
            if changed:
                user.save(update_fields=changed)
        if role in PROGRAMME_ROLES:
            user.programmes.add(setup.programme)
        where = team_name or setup.organisations[org_key].name
        logins.append(Login(username, str(Role(role).label), where, created, password_set))
    return logins, password, generated


# What the demo's partner agencies offer (oila.support), by their key in PARTNERS.
OFFERS = {
    "guardianship": ["legal_documents", "legal_guardianship"],
    "school": ["tutoring", "school_supplies", "school_enrolment", "psychosocial_group"],
    "health": ["health_check", "health_treatment", "psychosocial_individual"],
    "mahalla": ["in_kind_support", "cash_support", "day_care"],
    "employer": ["vocational_training_parents"],
    "training": ["vocational_training_parents", "business_grant"],
}


def ensure_services(setup: Setup, admin: User) -> None:
    """The shipped service catalogue and what each partner agency offers (once: an agency that
    offers something already is left as an administrator may have changed it)."""
    services.service_catalogue_seed(programme=setup.programme, actor=admin)
    types = {t.code: t for t in ServiceType.objects.filter(programme=setup.programme)}
    for key, codes in OFFERS.items():
        organisation = setup.organisations[key]
        if not OrganisationService.objects.filter(organisation=organisation).exists():
            services.organisation_services_set(
                actor=admin, organisation=organisation, service_types=[types[c] for c in codes]
            )
