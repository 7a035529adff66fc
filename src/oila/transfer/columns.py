"""The columns of each import: their keys, labels in every language, help and how a cell is read.

A header is recognised in any of the project's languages (uz, uz-Cyrl, ru, en) and in its machine key
form (`given_name`), whatever the language of whoever uploads it: registers move between offices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from oila.registry.models import Enrolment, Household, Membership, Person


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    help: Promise
    kind: str = (
        "text"  # text, date, int, decimal, choice, pinfl, district, mahalla, service, agency
    )
    required: bool = False
    choices: type[models.Choices] | None = None
    max_length: int = 200
    example: str = ""


@dataclass(frozen=True)
class ImportType:
    key: str
    label: Promise
    help: Promise
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _label(base: Promise, who: Promise | None) -> Any:
    return format_lazy("{} ({})", base, who) if who else base


def _person_columns(prefix: str = "", who: Promise | None = None) -> tuple[Column, ...]:
    """The columns of a person; `prefix` "head_" for the head of household on a household row."""
    return (
        Column(
            f"{prefix}given_name",
            _label(_("Given name"), who),
            _("The person's own name, in Latin or Cyrillic letters."),
            required=True,
            max_length=100,
            example="Shahnoza",
        ),
        Column(
            f"{prefix}family_name",
            _label(_("Family name"), who),
            _("The surname, in Latin or Cyrillic letters."),
            required=True,
            max_length=100,
            example="Karimova",
        ),
        Column(
            f"{prefix}patronymic",
            _label(_("Patronymic"), who),
            _("The father's name (Sherzod qizi, Sherzodovna); may be left empty."),
            max_length=100,
        ),
        Column(
            f"{prefix}sex",
            _label(_("Sex"), who),
            _("female or male (in any of the languages)."),
            kind="choice",
            required=True,
            choices=Person.Sex,
            example="female",
        ),
        Column(
            f"{prefix}birth_date",
            _label(_("Date of birth"), who),
            _("As 2014-05-20, 20.05.2014 or 20/05/2014 (day first)."),
            kind="date",
            example="2014-05-20",
        ),
        Column(
            f"{prefix}pinfl",
            _label(_("PINFL"), who),
            _("The 14-digit personal identification number; may be left empty."),
            kind="pinfl",
        ),
    )


HOUSEHOLDS = ImportType(
    "households",
    _("Households"),
    _("One row per family, with its head of household (the family's first member)."),
    (
        Column(
            "external_id",
            _("Household id"),
            _("The family's id in your register; importing the same id again changes nothing."),
            required=True,
            max_length=64,
            example="HH-0001",
        ),
        Column(
            "name",
            _("Family name of the household"),
            _("How the family is known, e.g. Karimovlar."),
            required=True,
            example="Karimovlar",
        ),
        Column(
            "kind",
            _("Kind of household"),
            _("vulnerable, sos, youth or other; empty means vulnerable."),
            kind="choice",
            choices=Household.Kind,
        ),
        Column(
            "district",
            _("District"),
            _("The district's name (any script) or its SOATO code."),
            kind="district",
            required=True,
            example="Urganch",
        ),
        Column(
            "mahalla",
            _("Mahalla"),
            _("The mahalla's name (any script) or code, in that district; may be left empty."),
            kind="mahalla",
        ),
        Column("address", _("Address"), _("Street and house."), max_length=300),
        Column("phone", _("Phone"), _("The family's phone number."), max_length=40),
        Column(
            "housing",
            _("Housing"),
            _("owned, rented, relatives, state or inadequate; may be left empty."),
            kind="choice",
            choices=Household.Housing,
        ),
        Column(
            "monthly_income_uzs",
            _("Monthly income (UZS)"),
            _("A whole number of sum, without spaces."),
            kind="int",
        ),
        Column(
            "head_external_id",
            _("Head's person id"),
            _("The head of household's id in your register; may be left empty."),
            max_length=64,
        ),
        *_person_columns("head_", _("head")),
    ),
)

PEOPLE = ImportType(
    "people",
    _("People"),
    _("One row per person, each in a household already registered (import households first)."),
    (
        Column(
            "external_id",
            _("Person id"),
            _("The person's id in your register; importing the same id again changes nothing."),
            required=True,
            max_length=64,
            example="P-0001",
        ),
        Column(
            "household_external_id",
            _("Household id"),
            _("The id of the person's household, as given when the household was imported."),
            required=True,
            max_length=64,
            example="HH-0001",
        ),
        Column(
            "relationship",
            _("Relationship to the head"),
            _("head, spouse, child, grandchild, sibling, parent, relative, caregiver, …"),
            kind="choice",
            required=True,
            choices=Membership.Relationship,
            example="child",
        ),
        *_person_columns(),
        Column("phone", _("Phone"), _("The person's own phone number."), max_length=40),
        Column(
            "group",
            _("Beneficiary group"),
            _("Enrols the person: sos_child, vulnerable_child, youth or specialist; may be empty."),
            kind="choice",
            choices=Enrolment.Group,
        ),
    ),
)

ENROLMENTS = ImportType(
    "enrolments",
    _("Enrolments"),
    _("One row per enrolment of a person or a household in a beneficiary group."),
    (
        Column(
            "person_external_id",
            _("Person id"),
            _("The enrolled person's id; leave empty to enrol a household."),
            max_length=64,
        ),
        Column(
            "household_external_id",
            _("Household id"),
            _("The enrolled household's id, when a whole household is enrolled."),
            max_length=64,
        ),
        Column(
            "group",
            _("Beneficiary group"),
            _("sos_child, vulnerable_child, youth or specialist."),
            kind="choice",
            required=True,
            choices=Enrolment.Group,
        ),
        Column(
            "enrolled_on",
            _("Enrolled on"),
            _("The date of enrolment (2024-01-31, 31.01.2024 or 31/01/2024)."),
            kind="date",
            required=True,
        ),
    ),
)

SERVICES = ImportType(
    "services",
    _("Service records"),
    _("One row per individual service delivered to a person."),
    (
        Column(
            "external_id",
            _("Service record id"),
            _("The record's id in your register; importing the same id again changes nothing."),
            required=True,
            max_length=64,
        ),
        Column(
            "person_external_id",
            _("Person id"),
            _("The id of the person who received the service."),
            required=True,
            max_length=64,
        ),
        Column(
            "service",
            _("Service"),
            _("The service's code or its name in the programme's catalogue."),
            kind="service",
            required=True,
        ),
        Column(
            "delivered_on",
            _("Date"),
            _("The day the service was delivered (not in the future)."),
            kind="date",
            required=True,
        ),
        Column(
            "duration_minutes",
            _("Duration (minutes)"),
            _("How long the session took; give this or the quantity."),
            kind="int",
        ),
        Column(
            "quantity",
            _("Quantity"),
            _("How much was given; or give the duration."),
            kind="decimal",
        ),
        Column("cost_uzs", _("Cost (UZS)"), _("A whole number of sum."), kind="int"),
        Column(
            "provider_agency",
            _("Provided by (agency)"),
            _("The partner agency that provided it; empty means you did."),
            kind="agency",
        ),
    ),
)

IMPORT_TYPES: dict[str, ImportType] = {t.key: t for t in (HOUSEHOLDS, PEOPLE, ENROLMENTS, SERVICES)}

_FOLD = re.compile(r"[\s_\-*.:()ʻʼ'`’‘]+")


def fold(text: Any) -> str:
    """A header or a choice as typed, reduced to what matters for matching."""
    return _FOLD.sub(" ", str(text or "")).strip().casefold()


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@lru_cache(maxsize=8)
def header_map(type_key: str) -> dict[str, str]:
    """Every accepted form of every header of an import type → the column's key."""
    forms: dict[str, str] = {}
    for column in IMPORT_TYPES[type_key].columns:
        forms[fold(column.key)] = column.key
        for language in _languages():
            with translation.override(language):
                forms.setdefault(fold(str(column.label)), column.key)
    return forms


@lru_cache(maxsize=32)
def choice_map(choices: type[models.Choices]) -> dict[str, Any]:
    """Every accepted form of a choice (its value, its label in every language) → its value."""
    forms: dict[str, Any] = {}
    for value, label in choices.choices:
        forms[fold(value)] = value
        for language in _languages():
            with translation.override(language):
                forms.setdefault(fold(str(label)), value)
    return forms
