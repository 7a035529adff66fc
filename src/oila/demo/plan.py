"""Planning the demo registry: people, households and what is recorded about them, decided in memory
with a seeded random generator before anything is written (so one seed always gives the same people).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from random import Random
from typing import Any

from oila.common.dates import age_on, today
from oila.demo import names as n
from oila.geo.models import District, Mahalla
from oila.registry.models import Consent, Person

HOUSEHOLD_PREFIX = "demo-hh-"
PERSON_PREFIX = "demo-p-"


@dataclass
class Action:
    """Something recorded about a person after the households exist: enrolment, care or consent."""

    kind: str  # "enrol", "care", "consent"
    data: dict[str, Any]


@dataclass
class MemberPlan:
    key: str  # external_id
    data: dict[str, Any]
    relationship: str
    started_on: dt.date | None = None  # None: member from the day the household is registered
    actions: list[Action] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        d = self.data
        return " ".join(p for p in (d["given_name"], d["family_name"], d.get("patronymic")) if p)


@dataclass
class HouseholdPlan:
    key: str
    kind: str
    district: District
    data: dict[str, Any]
    members: list[MemberPlan]
    late_members: list[MemberPlan] = field(default_factory=list)  # joined later (SOS placements)


@dataclass
class Style:
    script: str  # latn, cyrl (Uzbek Cyrillic) or cyrl-ru (Russian-style Cyrillic)
    upper: bool
    patronymic: str  # uzbek, russian or "" (none recorded)

    def write(self, text: str) -> str:
        return n.written(text, script=self.script, upper=self.upper)


class Planner:
    """Helpers that draw people, dates and consents; families.py draws the four groups."""

    def __init__(self, rng: Random, districts: list[District], mahallas: dict[str, list[Mahalla]]):
        self.rng = rng
        self.today = today()
        self.districts = {d.soato: d for d in districts}
        self.mahallas = mahallas
        self._person_seq = 0
        self._household_seq = 0
        self._pinfls: set[str] = set()
        self.caregiver_households: list[HouseholdPlan] = []  # SOS households, for care leavers

    # small helpers

    def person_key(self) -> str:
        self._person_seq += 1
        return f"{PERSON_PREFIX}{self._person_seq:04d}"

    def household_key(self) -> str:
        self._household_seq += 1
        return f"{HOUSEHOLD_PREFIX}{self._household_seq:04d}"

    def style(self, cyrillic_share: float = 0.22) -> Style:
        rng = self.rng
        if rng.random() < cyrillic_share:
            script = "cyrl-ru" if rng.random() < 0.3 else "cyrl"
            upper = rng.random() < 0.1
        else:
            script, upper = "latn", rng.random() < 0.12
        patronymic = rng.choices(["uzbek", "russian", ""], weights=[55, 35, 10])[0]
        return Style(script, upper, patronymic)

    def birth_date(self, age: int) -> dt.date:
        """A birth date on which the person is exactly `age` today."""
        t = self.today
        anniversary = dt.date(t.year - age, t.month, min(t.day, 28))
        return anniversary - dt.timedelta(days=self.rng.randint(0, 360))

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def pinfl(self, sex: str, birth: dt.date) -> str:
        """14 digits shaped like a PINFL: century and sex, date of birth, then random digits."""
        first = {(19, "male"): 3, (19, "female"): 4, (20, "male"): 5, (20, "female"): 6}[
            (birth.year // 100, sex)
        ]
        while True:
            tail = "".join(str(self.rng.randint(0, 9)) for _ in range(7))
            value = f"{first}{birth:%d%m%y}{tail}"
            if value not in self._pinfls:
                self._pinfls.add(value)
                return value

    def phone(self) -> str:
        rng = self.rng
        code = rng.choice(["90", "91", "93", "94", "97", "99", "88", "62"])
        return f"+998 {code} {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"

    def washington_group(self, age: int) -> dict[str, int]:
        """Washington Group answers: about 5 % show a disability; many are unanswered."""
        rng = self.rng
        if age < 2:
            return {}
        roll = rng.random()
        if roll < 0.055:
            answers = dict.fromkeys(Person.WG_FIELDS, 1)
            for name in rng.sample(Person.WG_FIELDS, rng.choice([1, 1, 2])):
                answers[name] = rng.choice([3, 3, 4])
            return answers
        if roll < 0.6:
            answers = dict.fromkeys(Person.WG_FIELDS, 1)
            if rng.random() < 0.15:
                answers[rng.choice(Person.WG_FIELDS)] = 2
            return answers
        return {}

    def person(
        self,
        style: Style,
        *,
        given: str,
        surname: str,
        sex: str,
        age: int,
        father: str,
        pinfl_share: float,
        phone: bool = False,
    ) -> dict[str, Any]:
        birth = self.birth_date(age)
        data: dict[str, Any] = {
            "given_name": style.write(given),
            "family_name": style.write(n.surname_for(surname, sex)),
            "patronymic": style.write(n.patronymic(father, sex, style=style.patronymic)),
            "sex": sex,
            "birth_date": birth,
            "birth_date_estimated": age >= 18 and self.rng.random() < 0.05,
            **self.washington_group(age),
        }
        if self.rng.random() < pinfl_share:
            data["pinfl"] = self.pinfl(sex, birth)
        if phone:
            data["phone"] = self.phone()
        return data

    def member(self, data: dict[str, Any], relationship: str, **extra: Any) -> MemberPlan:
        return MemberPlan(key=self.person_key(), data=data, relationship=relationship, **extra)

    def given_name(self, sex: str, taken: set[str], *, surname: str = "") -> str:
        pool = n.FEMALE_NAMES if sex == "female" else n.MALE_NAMES
        while True:
            name = self.rng.choice(pool)
            # One Shahnoza Karimova only (in Latin), so duplicate tests know who she is.
            if name in taken or (name == "Shahnoza" and surname == "Karimov"):
                continue
            taken.add(name)
            return name

    def household_data(self, style: Style, surname: str, district: District) -> dict[str, Any]:
        rng = self.rng
        mahalla = rng.choice(self.mahallas[district.soato])
        street = rng.choice(n.STREETS)
        address = f"{street} koʻchasi, {rng.randint(1, 120)}-uy"
        return {
            "name": style.write(surname + "lar"),
            "district": district,
            "mahalla": mahalla,
            "address": n.written(address, script=style.script),
            "external_id": self.household_key(),
        }

    def consent(
        self,
        member: MemberPlan,
        purpose: str,
        given_on: dt.date,
        *,
        caregiver: MemberPlan | None = None,
        guardian: bool = False,
        withdrawn_on: dt.date | None = None,
    ) -> None:
        """A consent given as the programme's age bands say (DOMAIN.md §2 defaults)."""
        age = age_on(member.data["birth_date"], given_on) or 0
        data: dict[str, Any] = {"purpose": purpose, "given_on": given_on}
        if age >= 15 or caregiver is None:
            data["given_by"] = Consent.GivenBy.SELF
        else:
            data["given_by"] = Consent.GivenBy.GUARDIAN if guardian else Consent.GivenBy.CAREGIVER
            data["given_by_name"] = caregiver.full_name
            data["child_assent"] = age > 5
        if withdrawn_on is not None:
            data["withdrawn_on"] = withdrawn_on
        member.actions.append(Action("consent", data))
