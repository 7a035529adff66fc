"""Generating households: the people, memberships, enrolments, consents and care arrangements."""

from __future__ import annotations

import datetime as dt
from random import Random

from oila.cases import deadlines
from oila.common.crypto import encrypt, keyed_hash
from oila.demo import names as n
from oila.demo.config import DISTRICT_WEIGHTS
from oila.demo.scale.base import (
    NARRATIVES,
    NEXT_STEPS,
    NULL,
    PROPORTIONS,
    REFERRAL_REASONS,
    START,
    Ids,
    _b,
    _cyrillic,
    _d,
    _derived,
    _search_key,
    _surnames,
    _ts,
    _weighted,
)
from oila.demo.scale.cases import CaseWriter
from oila.demo.scale.config import Config
from oila.demo.scale.tables import Loader
from oila.demo.scale.training import ProgrammeWriter


class Generator(CaseWriter, ProgrammeWriter):
    def __init__(self, config: Config, rng: Random, today: dt.date) -> None:
        self.c = config
        self.rng = rng
        self.today = today
        self.id = Ids()
        self.rules = deadlines.DeadlineRules.of(config.programme)
        self.surnames = _surnames()
        self.numbers: dict[int, int] = {}  # case numbers given, by year
        self.pinfl_serial = 0
        self.programme_id = str(config.programme.pk)
        self.days = (today - START).days
        self.narratives = [encrypt(t) for t in NARRATIVES for _ in range(3)]
        self.next_steps = [encrypt(t) if t else "" for t in NEXT_STEPS]
        self.reasons = [encrypt(t) for t in REFERRAL_REASONS]
        self.district_weights = {
            d.soato: DISTRICT_WEIGHTS[d.soato] / sum(DISTRICT_WEIGHTS.values())
            for d in config.districts
        }
        self.district_ids = {d.soato: str(d.pk) for d in config.districts}
        self.district_names = {d.soato: d.name_uz for d in config.districts}
        self.caseworkers_of: dict[str, list[tuple[str, str, str]]] = {}
        for cw in config.caseworkers:
            self.caseworkers_of.setdefault(cw[2], []).append(cw)
        # Households are dealt to caseworkers in turn, so each carries about the same load.
        self.turn: dict[str, int] = dict.fromkeys(self.caseworkers_of, 0)
        self.sos_mothers = 0

    # -- people ---------------------------------------------------------------------------------

    def _given(self, sex: str) -> str:
        pool = n.FEMALE_NAMES if sex == "female" else n.MALE_NAMES
        return pool[int(len(pool) * self.rng.random() ** 1.6)]  # a few common, a long tail

    def _pinfl(self, sex: str, birth: dt.date) -> str:
        # 14 digits: sex-and-century digit, birth date DDMMYY, district-like code, serial, check
        self.pinfl_serial += 1
        century = (5 if birth.year < 2000 else 3) + (0 if sex == "male" else 1)
        body = f"{century}{birth:%d%m%y}{self.pinfl_serial % 10_000_000:07d}"
        return body[:14]

    def person(
        self,
        load: Loader,
        owner: tuple[str, str, str],
        *,
        sex: str,
        birth: dt.date,
        family: str,
        father: str,
        cyrillic: bool,
        created: dt.date,
        adult: bool,
    ) -> tuple[str, str]:
        """One person row; returns (id, search key)."""
        rng = self.rng
        given = self._given(sex)
        family_name = n.surname_for(family, sex)
        patronymic = n.patronymic(father, sex, style="uzbek" if rng.random() < 0.6 else "russian")
        if cyrillic:
            given, family_name, patronymic = (
                _cyrillic(given),
                _cyrillic(family_name),
                _cyrillic(patronymic),
            )
        script, skey, fg, ff, fp, nk, sk = _derived(given, family_name, patronymic)
        pid = self.id()
        pinfl = pinfl_hash = ""
        if adult and rng.random() < PROPORTIONS["pinfl"]:
            number = self._pinfl(sex, birth)
            pinfl, pinfl_hash = encrypt(number), keyed_hash(number)
        difficulty = rng.random() < 0.03
        wg = [NULL] * 6
        if difficulty:
            wg = [str(rng.choice((1, 1, 2, 3, 4))) for _ in range(6)]
        ts = _ts(created)
        load.add(
            "registry_person",
            (
                pid, ts, ts, self.programme_id, owner[1], owner[0], "", given, family_name,
                patronymic, script, skey, fg, ff, fp, nk, sk, NULL, sex, birth.isoformat(),
                _b(rng.random() < 0.05), *wg, _b(difficulty and any(v in ("3", "4") for v in wg)),
                pinfl, pinfl_hash,
                f"+99890{rng.randrange(1_000_000, 9_999_999)}" if adult and rng.random() < 0.6 else "",
            ),
        )  # fmt: skip
        return pid, skey

    def _birth(self, low: int, high: int) -> dt.date:
        age_days = self.rng.randrange(low * 365, high * 365 + 364)
        return self.today - dt.timedelta(days=age_days)

    def _day(self, after: dt.date, within: int) -> dt.date:
        span = max(0, min(within, (self.today - after).days))
        return after + dt.timedelta(days=self.rng.randrange(span + 1))

    # -- a household ------------------------------------------------------------------------------

    def household(self, load: Loader) -> None:
        rng, c, today = self.rng, self.c, self.today
        soato = _weighted(rng, self.district_weights)
        cws = self.caseworkers_of[soato]
        cw = cws[self.turn[soato] % len(cws)]
        self.turn[soato] += 1
        owner = (cw[0], cw[1], cw[2])
        enrolled = START + dt.timedelta(days=rng.randrange(self.days - 30))
        cyrillic = rng.random() < PROPORTIONS["cyrillic"]
        sos = rng.random() < PROPORTIONS["sos"]
        family = self.surnames[int(len(self.surnames) * rng.random() ** 1.4)]
        hid = self.id()
        members: list[tuple[str, str, str, dt.date]] = []  # (id, relationship, search key, birth)
        children: list[tuple[str, str, dt.date]] = []  # (id, sex, birth)
        adults: list[tuple[str, str]] = []  # (id, full-name-ish for consents)
        father = self._given("male")
        n_children = _weighted(rng, PROPORTIONS["children"])

        def add(rel: str, sex: str, birth: dt.date, fam: str, dad: str, adult: bool) -> str:
            pid, skey = self.person(
                load, owner, sex=sex, birth=birth, family=fam, father=dad,
                cyrillic=cyrillic, created=enrolled, adult=adult,
            )  # fmt: skip
            members.append((pid, rel, skey, birth))
            return pid

        if sos:
            mother = add(
                "caregiver", "female", self._birth(30, 55), family, self._given("male"), True
            )
            adults.append((mother, "SOS"))
            for _ in range(n_children):
                sex = "female" if rng.random() < 0.5 else "male"
                fam = self.surnames[rng.randrange(len(self.surnames))]
                kid = add("foster_child", sex, self._birth(0, 17), fam, self._given("male"), False)
                children.append((kid, sex, members[-1][3]))
            name = "SOS oilasi"
        else:
            couple = rng.random() < PROPORTIONS["couple"]
            if couple or rng.random() < 0.2:
                adults.append(
                    (
                        add("head", "male", self._birth(25, 60), family, self._given("male"), True),
                        "head",
                    )
                )
            if couple or not adults:
                rel = "spouse" if adults else "head"
                wife_family = family if rng.random() < 0.6 else rng.choice(self.surnames)
                adults.append(
                    (
                        add(
                            rel,
                            "female",
                            self._birth(22, 55),
                            wife_family,
                            self._given("male"),
                            True,
                        ),
                        rel,
                    )
                )
            if rng.random() < PROPORTIONS["grandparent"]:
                add(
                    "parent",
                    "female" if rng.random() < 0.7 else "male",
                    self._birth(58, 85),
                    family,
                    self._given("male"),
                    True,
                )
            for _ in range(n_children):
                sex = "female" if rng.random() < 0.49 else "male"
                kid = add("child", sex, self._birth(0, 17), family, father, False)
                children.append((kid, sex, members[-1][3]))
            name = f"{family}lar"
        youth: str | None = None
        if not sos and rng.random() < PROPORTIONS["youth"]:
            youth = add(
                "child",
                "female" if rng.random() < 0.45 else "male",
                self._birth(15, 24),
                family,
                father,
                True,
            )
        if cyrillic:
            name = _cyrillic(name)

        # the household row, its search key as registry.services.household_refresh_search makes it
        # (the members' keys are search keys already: search_key leaves them as they are)
        search = " | ".join([_search_key(name), *(m[2] for m in members if m[2])])
        ts = _ts(enrolled)
        income = rng.choice(
            (
                '["wages"]',
                '["seasonal"]',
                '["agriculture", "benefits"]',
                '["remittances"]',
                '["benefits"]',
                '["none"]',
            )
        )
        load.add(
            "registry_household",
            (
                hid, ts, ts, self.programme_id, owner[1], owner[0], "", name,
                "sos" if sos else ("youth" if youth and not children else "vulnerable"),
                self.district_ids[soato], rng.choice(c.mahallas[soato]),
                f"{rng.choice(n.STREETS)} koʻchasi, {rng.randint(1, 120)}-uy",
                f"+99862{rng.randrange(1_000_000, 9_999_999)}" if rng.random() < 0.5 else "",
                income, '["child_allowance"]' if rng.random() < 0.5 else "[]",
                str(rng.randint(0, 2)), str(rng.randrange(500_000, 4_000_000, 50_000)),
                rng.choice(("owned", "owned", "rented", "relatives", "inadequate")), "", search,
            ),
        )  # fmt: skip
        for pid, rel, _skey, birth in members:
            start = max(enrolled, birth)
            load.add(
                "registry_membership",
                (self.id(), ts, ts, hid, pid, rel, start.isoformat(), NULL),
            )

        # case (a third of households), decided first: its status decides the enrolments'
        has_case = rng.random() < PROPORTIONS["case"]
        status = _weighted(rng, PROPORTIONS["case_status"]) if has_case else ""
        graduated = status == "closed" and rng.random() < 0.6
        group = "sos_child" if sos else "vulnerable_child"
        enrol_status = "graduated" if graduated else "active"
        closed_on = None
        for kid, _sex, birth in children:
            on = max(enrolled, birth)
            self._enrol(load, kid, group, on, enrol_status, today if graduated else None)
            self._consent(load, kid, on, caregiver=adults[0][1] if adults else "")
            if sos:
                # reviewed every three months: the last review within the last 80 days
                reviewed = max(on, self._day(today - dt.timedelta(days=80), 80))
                review = deadlines.placement_review_due(self.rules, since=reviewed)
                load.add(
                    "registry_carearrangement",
                    (
                        self.id(), ts, ts, kid, "family_like", on.isoformat(), NULL, hid,
                        "", review.isoformat(), "",
                    ),
                )  # fmt: skip
            elif rng.random() < 0.05:
                load.add(
                    "registry_carearrangement",
                    (self.id(), ts, ts, kid, "informal_kinship", on.isoformat(), NULL, NULL, "", NULL, ""),
                )  # fmt: skip
        for pid, _rel in adults[:1]:
            self._consent(load, pid, enrolled, caregiver="")
        if youth is not None:
            self._enrol(load, youth, "youth", enrolled, "active", None)
            self._consent(load, youth, enrolled, caregiver="")
            self._youth(load, youth, enrolled, cw[0], soato)
        if has_case:
            closed_on = self._case(
                load, hid, owner, status, enrolled, children, youth, soato, members
            )
            del closed_on

    def _enrol(
        self, load: Loader, pid: str, group: str, on: dt.date, status: str, ended: dt.date | None
    ) -> None:
        ts = _ts(on)
        load.add(
            "registry_enrolment",
            (
                self.id(),
                ts,
                ts,
                self.programme_id,
                pid,
                NULL,
                group,
                status,
                on.isoformat(),
                _d(ended),
            ),
        )

    def _consent(self, load: Loader, pid: str, on: dt.date, *, caregiver: str) -> str:
        cid = self.id()
        ts = _ts(on)
        load.add(
            "registry_consent",
            (
                cid, ts, ts, pid, "data_processing", "caregiver" if caregiver else "self",
                "", _b(bool(caregiver) and self.rng.random() < 0.5), on.isoformat(), NULL, "",
            ),
        )  # fmt: skip
        return cid
