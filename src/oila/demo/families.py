"""The four beneficiary groups of DOMAIN.md §1, drawn to reproduce the published table exactly.

The counts are fixed first (children per family, which of them are girls) and the families are then
drawn around them, so the totals come out of the data, not out of constants written elsewhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oila.demo import names as n
from oila.demo.config import DISTRICT_WEIGHTS
from oila.demo.plan import Action, HouseholdPlan, MemberPlan, Planner, Style
from oila.geo.models import District
from oila.registry.models import CareArrangement, Enrolment, Household, Membership, Person

# DOMAIN.md §1, the published direct beneficiaries.
SOS_FAMILIES, SOS_CHILDREN, SOS_GIRLS = 5, 29, 13
VULNERABLE_FAMILIES, VULNERABLE_CHILDREN, VULNERABLE_GIRLS = 128, 367, 190
YOUTH, YOUTH_WOMEN, YOUTH_IN_VULNERABLE_FAMILIES = 26, 16, 6
SPECIALISTS, SPECIALIST_WOMEN = 50, 38  # the sex split is not published; most are women
MIN_HOUSEHOLDS_PER_DISTRICT = 5

# Who looks after the children of a vulnerable family (relative frequency).
FAMILY_SHAPES = {"couple": 60, "mother": 25, "grandmother": 9, "father": 6}
SOS_DISTRICTS = ["1733401", "1733401", "1733401", "1733217", "1733406"]

INSTITUTIONS = [
    "Urganch shahridagi 21-son Mehribonlik uyi",
    "Xiva shahridagi bolalar shaharchasi",
    "Xonqa tumanidagi ixtisoslashtirilgan bolalar uyi",
    "Urganch tumanidagi chaqaloqlar uyi",
]
ECONOMIC_NOTES = [
    "Otasi Rossiyada mavsumiy ishda, pul oʻtkazmalari notekis.",
    "Onasi yolgʻiz, bolalar nafaqasi bilan kun koʻradi.",
    "Uy taʼmirtalab, qishda isitish yetishmaydi.",
    "Ota-onaning kasbiy maʼlumoti yoʻq, vaqtincha ishlar bilan band.",
    "2022-yildan beri narxlar oshishi oilaning ahvolini ogʻirlashtirdi.",
    "Tomorqadan olinadigan hosil oilaning asosiy daromadi.",
]


class ProgrammePlanner(Planner):
    """Draws the whole programme: `plan()` gives the households and the specialists."""

    def districts_for(self, count: int) -> list[District]:
        """Every district gets its minimum; the rest are spread by population."""
        codes = [soato for soato in self.districts for _ in range(MIN_HOUSEHOLDS_PER_DISTRICT)]
        soatos = list(DISTRICT_WEIGHTS)
        weights = [DISTRICT_WEIGHTS[s] for s in soatos]
        codes += self.rng.choices(soatos, weights=weights, k=count - len(codes))
        self.rng.shuffle(codes)
        return [self.districts[c] for c in codes]

    def vulnerable_families(
        self, districts: list[District], youth_sexes: list[str]
    ) -> list[HouseholdPlan]:
        rng = self.rng
        sizes = [1] * VULNERABLE_FAMILIES
        for _ in range(VULNERABLE_CHILDREN - VULNERABLE_FAMILIES):
            sizes[rng.choice([i for i, s in enumerate(sizes) if s < 6])] += 1
        sexes = ["female"] * VULNERABLE_GIRLS + ["male"] * (VULNERABLE_CHILDREN - VULNERABLE_GIRLS)
        rng.shuffle(sexes)
        styles = [self.style() for _ in range(VULNERABLE_FAMILIES)]
        child_sexes: list[list[str]] = []
        for size in sizes:
            child_sexes.append(sexes[:size])
            sexes = sexes[size:]
        # Shahnoza Karimova: a girl in a family whose names were entered in plain Latin.
        shahnoza_family = next(
            i
            for i, style in enumerate(styles)
            if style.script == "latn" and not style.upper and "female" in child_sexes[i]
        )
        with_youth = dict(
            zip(
                sorted(rng.sample(range(VULNERABLE_FAMILIES), len(youth_sexes))),
                youth_sexes,
                strict=True,
            )
        )
        return [
            self.vulnerable_family(
                styles[i],
                districts[i],
                child_sexes[i],
                shahnoza=(i == shahnoza_family),
                youth_sex=with_youth.get(i),
            )
            for i in range(VULNERABLE_FAMILIES)
        ]

    def vulnerable_family(
        self,
        style: Style,
        district: District,
        child_sexes: list[str],
        *,
        shahnoza: bool,
        youth_sex: str | None,
    ) -> HouseholdPlan:
        rng = self.rng
        surname = "Karimov" if shahnoza else rng.choice(n.SURNAMES)
        ages = sorted((rng.randint(0, 17) for _ in child_sexes), reverse=True)
        youth_age = rng.randint(18, 24) if youth_sex else None
        oldest = youth_age or ages[0]
        shape = rng.choices(list(FAMILY_SHAPES), weights=list(FAMILY_SHAPES.values()))[0]
        if youth_sex and shape == "grandmother":
            shape = "couple"
        taken: set[str] = set()
        mother_age = oldest + rng.randint(19, 28)
        # Nobody's mother is much past 44 at a birth.
        ages = [max(age, mother_age - 44) for age in ages]
        father_given = self.given_name("male", taken)
        parents: list[MemberPlan] = []
        if shape in ("couple", "father"):
            father = self.person(
                style,
                given=father_given,
                surname=surname,
                sex="male",
                age=mother_age + rng.randint(0, 7),
                father=rng.choice(n.MALE_NAMES),
                pinfl_share=0.6,
                phone=rng.random() < 0.7,
            )
            parents.append(self.member(father, Membership.Relationship.HEAD))
        if shape in ("couple", "mother"):
            # Many wives keep their own family name.
            own = rng.choice(n.SURNAMES) if shape == "couple" and rng.random() < 0.4 else surname
            mother = self.person(
                style,
                given=self.given_name("female", taken, surname=own),
                surname=own,
                sex="female",
                age=mother_age,
                father=rng.choice(n.MALE_NAMES),
                pinfl_share=0.6,
                phone=shape == "mother" and rng.random() < 0.7,
            )
            relationship = "spouse" if shape == "couple" else "head"
            parents.append(self.member(mother, relationship))
        if shape == "grandmother":
            grandmother = self.person(
                style,
                given=self.given_name("female", taken, surname=surname),
                surname=surname,
                sex="female",
                age=min(oldest + rng.randint(38, 50), 75),
                father=rng.choice(n.MALE_NAMES),
                pinfl_share=0.5,
                phone=rng.random() < 0.5,
            )
            parents.append(self.member(grandmother, Membership.Relationship.HEAD))
        head = parents[0]
        registered_on = self.date_between(dt.date(2017, 3, 1), self.today - dt.timedelta(days=60))
        child_relationship = "grandchild" if shape == "grandmother" else "child"

        children: list[MemberPlan] = []
        for index, (sex, age) in enumerate(zip(child_sexes, ages, strict=True)):
            if shahnoza and sex == "female" and "Shahnoza" not in taken:
                given = "Shahnoza"
                taken.add(given)
            else:
                given = self.given_name(sex, taken, surname=surname)
            data = self.person(
                style,
                given=given,
                surname=surname,
                sex=sex,
                age=age,
                father=father_given,
                pinfl_share=0.15,
            )
            child = self.member(data, child_relationship)
            enrolled_on = min(
                max(registered_on, data["birth_date"] + dt.timedelta(days=7)), self.today
            )
            child.actions.append(
                Action(
                    "enrol", {"group": Enrolment.Group.VULNERABLE_CHILD, "enrolled_on": enrolled_on}
                )
            )
            if shape == "grandmother":
                child.actions.append(
                    Action(
                        "care",
                        {
                            "type": CareArrangement.Type.INFORMAL_KINSHIP,
                            "started_on": max(
                                data["birth_date"], registered_on - dt.timedelta(days=400)
                            ),
                        },
                    )
                )
            if rng.random() < 0.5:
                self.consent(child, "information_sharing", enrolled_on, caregiver=head)
            if rng.random() < 0.1:
                withdrawn = None
                if index == 0 and rng.random() < 0.2:
                    withdrawn = self.date_between(enrolled_on, self.today)
                self.consent(child, "photos", enrolled_on, caregiver=head, withdrawn_on=withdrawn)
            children.append(child)

        members = parents + children
        if youth_sex and youth_age is not None:
            data = self.person(
                style,
                given=self.given_name(youth_sex, taken, surname=surname),
                surname=surname,
                sex=youth_sex,
                age=youth_age,
                father=father_given,
                pinfl_share=0.7,
                phone=True,
            )
            young = self.member(data, "child")
            enrolled_on = self.date_between(
                max(registered_on, dt.date(2021, 1, 1)), self.today - dt.timedelta(days=30)
            )
            young.actions.append(
                Action("enrol", {"group": Enrolment.Group.YOUTH, "enrolled_on": enrolled_on})
            )
            self.consent(young, "data_processing", enrolled_on)
            members.append(young)

        self.consent(head, "data_processing", registered_on)
        if rng.random() < 0.7:
            self.consent(head, "information_sharing", registered_on)
        if rng.random() < 0.15:
            self.consent(head, "photos", registered_on)

        data = self.household_data(style, surname, district)
        data["kind"] = Household.Kind.VULNERABLE
        data.update(self.economics(shape, children))
        return HouseholdPlan(data["external_id"], data["kind"], district, data, members)

    def economics(self, shape: str, children: list[MemberPlan]) -> dict[str, Any]:
        rng = self.rng
        sources = rng.sample(
            ["seasonal", "benefits", "remittances", "agriculture", "self_employed", "wages"],
            rng.choice([1, 1, 2, 2, 3]),
        )
        benefits = ["child_allowance"] if rng.random() < 0.6 else []
        if rng.random() < 0.4:
            benefits.append("low_income")
        if any((c.data.get(f) or 0) >= 3 for c in children for f in Person.WG_FIELDS):
            benefits.append("disability")
        if shape in ("mother", "grandmother") and rng.random() < 0.3:
            benefits.append("survivor")
        if benefits and "benefits" not in sources:
            sources.append("benefits")
        adults = 2 if shape == "couple" else 1
        data: dict[str, Any] = {
            "income_sources": sources,
            "state_benefits": sorted(set(benefits)),
            "adults_employed": rng.randint(0, adults),
            "monthly_income_uzs": rng.randint(16, 90) * 50_000,
            "housing": rng.choices(
                ["owned", "rented", "relatives", "inadequate"], weights=[45, 20, 25, 10]
            )[0],
        }
        if rng.random() < 0.3:
            data["economic_notes"] = rng.choice(ECONOMIC_NOTES)
        return data

    def sos_families(self) -> list[HouseholdPlan]:
        rng = self.rng
        base, extra = divmod(SOS_CHILDREN, SOS_FAMILIES)
        sizes = [base + (i < extra) for i in range(SOS_FAMILIES)]
        rng.shuffle(sizes)
        sexes = ["female"] * SOS_GIRLS + ["male"] * (SOS_CHILDREN - SOS_GIRLS)
        rng.shuffle(sexes)
        plans = []
        for index, size in enumerate(sizes):
            district = self.districts[SOS_DISTRICTS[index]]
            style = self.style(cyrillic_share=0.0) if index else Style("cyrl", False, "uzbek")
            taken: set[str] = set()
            own = rng.choice(n.SURNAMES)
            mother_data = self.person(
                style,
                given=self.given_name("female", taken, surname=own),
                surname=own,
                sex="female",
                age=rng.randint(36, 55),
                father=rng.choice(n.MALE_NAMES),
                pinfl_share=1.0,
                phone=True,
            )
            mother = self.member(mother_data, Membership.Relationship.CAREGIVER)
            self.consent(mother, "data_processing", dt.date(2017, 2, 1))
            self.consent(mother, "information_sharing", dt.date(2017, 2, 1))
            data = self.household_data(style, "", district)
            sos = n.written("SOS oilasi", script=style.script)
            data["name"] = f"{sos}: {mother_data['given_name']} {mother_data['family_name']}"
            data.update(
                kind=Household.Kind.SOS,
                income_sources=["wages"],
                adults_employed=1,
                housing=Household.Housing.STATE,
            )
            plan = HouseholdPlan(data["external_id"], data["kind"], district, data, [mother])
            child_sexes, sexes = sexes[:size], sexes[size:]
            # Brothers and sisters are placed together: two or three sibling groups per family.
            groups: list[tuple[str, str]] = []
            for sex in child_sexes:
                if not groups or rng.random() < 0.4:
                    groups.append((rng.choice(n.SURNAMES), rng.choice(n.MALE_NAMES)))
                surname, father = groups[-1]
                self.sos_child(plan, mother, style, sex, surname, father, taken)
            self.caregiver_households.append(plan)
            plans.append(plan)
        return plans

    def sos_child(
        self,
        plan: HouseholdPlan,
        mother: MemberPlan,
        style: Style,
        sex: str,
        surname: str,
        father: str,
        taken: set[str],
    ) -> None:
        rng = self.rng
        age = rng.randint(1, 17)
        data = self.person(
            style,
            given=self.given_name(sex, taken, surname=surname),
            surname=surname,
            sex=sex,
            age=age,
            father=father,
            pinfl_share=0.5,
        )
        birth = data["birth_date"]
        placed_on = self.date_between(
            max(birth + dt.timedelta(days=60), dt.date(2012, 1, 1)),
            self.today - dt.timedelta(days=60),
        )
        child = self.member(data, Membership.Relationship.FOSTER_CHILD, started_on=placed_on)
        roll = rng.random()
        if roll < 0.8:
            # Where the child lived before: with their parents, then (for most) an institution.
            child.actions.append(
                Action("care", {"type": CareArrangement.Type.PARENTAL, "started_on": birth})
            )
        if roll < 0.55 and (placed_on - birth).days > 40:
            child.actions.append(
                Action(
                    "care",
                    {
                        "type": CareArrangement.Type.RESIDENTIAL,
                        "started_on": self.date_between(
                            birth + dt.timedelta(days=10), placed_on - dt.timedelta(days=20)
                        ),
                        "place": rng.choice(INSTITUTIONS),
                    },
                )
            )
        family_like: dict[str, Any] = {
            "type": CareArrangement.Type.FAMILY_LIKE,
            "started_on": placed_on,
            "caregiver_household": plan.key,  # replaced by the household when it exists
            # Placements are reviewed every 3 months: most reviews are coming up, a few are late.
            "next_review_on": self.today + dt.timedelta(days=rng.randint(-20, 85)),
        }
        if rng.random() < 0.3:
            family_like["notes"] = "Aka-uka va opa-singillar bir oilaga birga joylashtirilgan."
        child.actions.append(Action("care", family_like))
        enrolled_on = max(placed_on, dt.date(2017, 2, 1))
        child.actions.append(
            Action("enrol", {"group": Enrolment.Group.SOS_CHILD, "enrolled_on": enrolled_on})
        )
        self.consent(child, "data_processing", enrolled_on, caregiver=mother, guardian=True)
        self.consent(child, "information_sharing", enrolled_on, caregiver=mother, guardian=True)
        if rng.random() < 0.3:
            self.consent(child, "photos", enrolled_on, caregiver=mother, guardian=True)
        plan.late_members.append(child)

    def youth_households(self, districts: list[District], sexes: list[str]) -> list[HouseholdPlan]:
        rng = self.rng
        plans = []
        care_leavers = 0
        for district, sex in zip(districts, sexes, strict=True):
            style = self.style()
            surname = rng.choice(n.SURNAMES)
            taken: set[str] = set()
            age = rng.randint(15, 24)
            father = self.given_name("male", taken)
            young_data = self.person(
                style,
                given=self.given_name(sex, taken, surname=surname),
                surname=surname,
                sex=sex,
                age=age,
                father=father,
                pinfl_share=0.7,
                phone=True,
            )
            members: list[MemberPlan] = []
            if age < 18:
                mother = self.person(
                    style,
                    given=self.given_name("female", taken, surname=surname),
                    surname=surname,
                    sex="female",
                    age=age + rng.randint(20, 30),
                    father=rng.choice(n.MALE_NAMES),
                    pinfl_share=0.6,
                    phone=True,
                )
                members.append(self.member(mother, Membership.Relationship.HEAD))
                young = self.member(young_data, Membership.Relationship.CHILD)
            else:
                young = self.member(young_data, Membership.Relationship.HEAD)
            members.append(young)
            if age >= 18 and rng.random() < 0.3:
                sibling_sex = rng.choice(["female", "male"])
                sibling = self.person(
                    style,
                    given=self.given_name(sibling_sex, taken, surname=surname),
                    surname=surname,
                    sex=sibling_sex,
                    age=rng.randint(8, 17),
                    father=father,
                    pinfl_share=0.2,
                )
                members.append(self.member(sibling, Membership.Relationship.SIBLING))
            enrolled_on = self.date_between(dt.date(2021, 1, 1), self.today - dt.timedelta(days=30))
            young.actions.append(
                Action("enrol", {"group": Enrolment.Group.YOUTH, "enrolled_on": enrolled_on})
            )
            head = members[0]
            self.consent(head, "data_processing", enrolled_on)
            if head is not young:
                self.consent(young, "data_processing", enrolled_on)
            if rng.random() < 0.8:
                self.consent(young, "information_sharing", enrolled_on)
            if 18 <= age <= 22 and care_leavers < 3 and self.caregiver_households:
                # A care leaver: grew up in an SOS family, now in supervised independent living.
                care_leavers += 1
                birth = young_data["birth_date"]
                young.actions.append(
                    Action(
                        "care",
                        {
                            "type": CareArrangement.Type.FAMILY_LIKE,
                            "started_on": birth + dt.timedelta(days=8 * 365),
                            "caregiver_household": rng.choice(self.caregiver_households).key,
                        },
                    )
                )
                young.actions.append(
                    Action(
                        "care",
                        {
                            "type": CareArrangement.Type.INDEPENDENT,
                            "started_on": birth + dt.timedelta(days=18 * 365 + 30),
                            "next_review_on": self.today + dt.timedelta(days=rng.randint(5, 80)),
                        },
                    )
                )
            data = self.household_data(style, surname, district)
            data.update(
                kind=Household.Kind.YOUTH,
                income_sources=rng.sample(["seasonal", "wages", "benefits", "self_employed"], 1),
                adults_employed=rng.randint(0, 1),
                monthly_income_uzs=rng.randint(10, 50) * 50_000,
                housing=rng.choice(["rented", "relatives", "owned"]),
            )
            plans.append(HouseholdPlan(data["external_id"], data["kind"], district, data, members))
        return plans

    def specialists(self) -> list[MemberPlan]:
        rng = self.rng
        sexes = ["female"] * SPECIALIST_WOMEN + ["male"] * (SPECIALISTS - SPECIALIST_WOMEN)
        rng.shuffle(sexes)
        plans = []
        for sex in sexes:
            style = self.style(cyrillic_share=0.15)
            style.upper = False
            surname = rng.choice(n.SURNAMES)
            data = self.person(
                style,
                given=self.given_name(sex, set(), surname=surname),
                surname=surname,
                sex=sex,
                age=rng.randint(24, 58),
                father=rng.choice(n.MALE_NAMES),
                pinfl_share=0.7,
                phone=rng.random() < 0.8,
            )
            member = self.member(data, "")
            enrolled_on = self.date_between(dt.date(2017, 6, 1), self.today - dt.timedelta(days=30))
            member.actions.append(
                Action("enrol", {"group": Enrolment.Group.SPECIALIST, "enrolled_on": enrolled_on})
            )
            self.consent(member, "data_processing", enrolled_on)
            plans.append(member)
        return plans

    def plan(self) -> tuple[list[HouseholdPlan], list[MemberPlan]]:
        rng = self.rng
        youth_sexes = ["female"] * YOUTH_WOMEN + ["male"] * (YOUTH - YOUTH_WOMEN)
        rng.shuffle(youth_sexes)
        in_families = youth_sexes[:YOUTH_IN_VULNERABLE_FAMILIES]
        own_households = youth_sexes[YOUTH_IN_VULNERABLE_FAMILIES:]
        districts = self.districts_for(VULNERABLE_FAMILIES + len(own_households))
        sos = self.sos_families()
        vulnerable = self.vulnerable_families(districts[:VULNERABLE_FAMILIES], in_families)
        youth = self.youth_households(districts[VULNERABLE_FAMILIES:], own_households)
        return sos + vulnerable + youth, self.specialists()
