"""The scale build's constants, proportions and the values COPY's text format takes."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from random import Random
from typing import Any, Protocol

from oila.accounts.models import Programme
from oila.common.names import NameKeys, name_keys
from oila.common.script import detect_script, search_key
from oila.demo import names as n

SCALE_SLUG = "scale"
CASE_PREFIX = "SCL"
START = dt.date(2019, 1, 1)
HOUSEHOLDS_PER_CASEWORKER = 60
CASEWORKERS_PER_TEAM = 8
CHUNK_HOUSEHOLDS = 4000

# The proportions the build draws from (the tests check the counts that follow from them).
PROPORTIONS: dict[str, Any] = {
    # children (0-17) per household: weights of 1..6 children, mean 2.83
    "children": {1: 0.15, 2: 0.30, 3: 0.28, 4: 0.15, 5: 0.08, 6: 0.04},
    "couple": 0.72,  # otherwise a single mother (80 %) or a single father heads the household
    "grandparent": 0.15,
    "youth": 0.12,  # a young person (15-24) seeking work, enrolled in the youth group
    "sos": 0.02,  # SOS families: an SOS mother and children in family-like care
    "case": 1 / 3,
    "child_case": 0.30,  # of cases; the rest are family cases
    "risk": {"high": 0.15, "medium": 0.45, "low": 0.40},
    "case_status": {"open": 0.60, "closure_requested": 0.03, "closed": 0.35, "transferred": 0.02},
    "referral": 0.40,  # of cases
    "pinfl": 0.60,  # of adults
    "cyrillic": 0.15,  # names entered in Cyrillic
    "specialists": 0.002,  # of people
    "youth_training": 0.70,
    "placement": 0.45,  # of young people trained
}

NARRATIVES = [
    "Home visit: the mother and the children were at home; the children attend school.",
    "The family received food support; the father found seasonal work.",
    "Talked with the class teacher: attendance improved since the last visit.",
    "Phone call with the grandmother; an appointment at the polyclinic is booked.",
    "The house needs repairs before winter; the mahalla committee was informed.",
    "The child's documents were renewed with the guardianship authority's help.",
    "Parenting session held; the mother asked for help with the school uniform.",
    "The eldest son started a vocational course in Urganch.",
]
NEXT_STEPS = [
    "Visit again in two weeks.",
    "Refer to the polyclinic for a check-up.",
    "Follow up with the school.",
    "",
]
REFERRAL_REASONS = [
    "The child needs a health check before school.",
    "The family needs legal help with documents.",
    "The mother asked for vocational training.",
    "The child needs tutoring to catch up at school.",
]
GOALS = [
    "The children eat regular meals",
    "The family lives in safe housing",
    "The child attends school every day",
    "The child sees a doctor when ill",
    "The mother has a regular income",
    "The child has a birth certificate",
]
ACTIONS = [
    "Monthly food package",
    "Referral to the polyclinic",
    "Meeting with the class teacher",
    "Help with documents at the guardianship authority",
    "Vocational course for the mother",
]
COURSES = ["Sewing", "Cooking", "Computer skills", "Hairdressing", "Welding", "Car repair"]
TRAINING_TOPICS = [
    "Case management basics",
    "Child safeguarding",
    "Positive parenting",
    "Gatekeeping and alternative care",
    "Psychosocial first aid",
]
PARTNER_KINDS = ["guardianship", "school", "health", "mahalla", "employer", "training"]
# What each partner kind offers (codes of the shipped service catalogue).
OFFERS = {
    "guardianship": ["legal_documents", "legal_guardianship"],
    "school": ["tutoring", "school_supplies", "school_enrolment", "psychosocial_group"],
    "health": ["health_check", "health_treatment", "psychosocial_individual"],
    "mahalla": ["in_kind_support", "cash_support", "day_care"],
    "employer": ["vocational_training_parents"],
    "training": ["vocational_training_parents", "business_grant"],
}


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class ScaleError(Exception):
    """The scale build cannot run here (wrong database, already built with another size, …)."""


@dataclass
class ScaleResult:
    programme: Programme
    built: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------------
# Values as COPY's text format writes them

NULL = "\\N"


def _clean(text: str) -> str:
    """Text for COPY's text format (tabs, newlines and backslashes escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _ids(count: int) -> list[str]:
    """Random version-4 UUIDs, as text."""
    raw = os.urandom(16 * count).hex()
    out = []
    variant = "89ab"
    for i in range(0, 32 * count, 32):
        h = raw[i : i + 32]
        out.append(
            f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"
        )
    return out


class Ids:
    """Hands out pre-made UUIDs (making them in batches is several times faster)."""

    def __init__(self) -> None:
        self._pool: list[str] = []

    def __call__(self) -> str:
        if not self._pool:
            self._pool = _ids(50_000)
        return self._pool.pop()


def _ts(day: dt.date, seconds: int = 32_400) -> str:
    """A timestamp on a day (09:00 Tashkent by default), as UTC text."""
    return f"{day.isoformat()} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:00+05"


def _b(value: bool) -> str:
    return "t" if value else "f"


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else NULL


# ---------------------------------------------------------------------------------------------------
# Names


@lru_cache(maxsize=50_000)
def _cyrillic(text: str) -> str:
    return n.to_cyrillic(text)


@lru_cache(maxsize=100_000)
def _given_family_keys(given: str, family: str) -> NameKeys:
    # name_keys' given, family, name_key and sound_key do not depend on the patronymic, and its
    # patronymic key depends on nothing else: two cached calls instead of one per person.
    return name_keys(given, family, "")


@lru_cache(maxsize=100_000)
def _patronymic_key(patronymic: str) -> str:
    return name_keys("", "", patronymic).patronymic


@lru_cache(maxsize=100_000)
def _search_key(text: str) -> str:
    return search_key(text)


def _derived(given: str, family: str, patronymic: str) -> tuple[str, ...]:
    """The fields registry.services._derive_person sets from a name (the same functions).

    search_key works word by word (it transliterates, drops marks and apostrophes, lower-cases and
    joins the words with one space), so the key of "given family patronymic" is the keys of the three
    joined with a space; tests/demo/test_scale.py checks this on every name the build uses.
    """
    keys = _given_family_keys(given, family)
    return (
        detect_script(f"{given} {family} {patronymic}"),
        " ".join(
            k for k in (_search_key(given), _search_key(family), _search_key(patronymic)) if k
        ),
        keys.given[:100],
        keys.family[:100],
        _patronymic_key(patronymic)[:100],
        keys.name_key[:201],
        keys.sound_key[:201],
    )


def _surnames() -> list[str]:
    """The demo's surnames and, as in Khorezm, surnames made from a forefather's given name."""
    made = [
        name.replace("ʻ", "").replace("ʼ", "") + ("yev" if name[-1] in "aeiou" else "ov")
        for name in n.MALE_NAMES
    ]
    return sorted(set(n.SURNAMES) | set(made))


def _weighted(rng: Random, weights: dict[Any, float]) -> Any:
    r = rng.random()
    acc = 0.0
    for key, weight in weights.items():
        acc += weight
        if r < acc:
            return key
    return key
