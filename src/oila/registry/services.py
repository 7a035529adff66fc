"""Writes to the registry. Each service validates, saves and writes its audit event in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from oila.accounts.models import Programme, Role, Team, User
from oila.accounts.selectors import programmes_of
from oila.accounts.services import programme_public_changed
from oila.audit import services as audit
from oila.common.bulk import insert_many, instance_maker, update_many
from oila.common.crypto import keyed_hash
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.common.script import detect_script, search_key
from oila.common.services import model_update, snapshot
from oila.registry.matching import (
    BLOCKING_KEY_FIELDS,
    ENTRY_CHOICE_ACTION,
    EntryDecision,
    blocking_keys,
)
from oila.registry.models import (
    CareArrangement,
    Consent,
    Enrolment,
    Household,
    Membership,
    Person,
    person_rule_errors,
)
from oila.registry.visibility import can_register

HOUSEHOLD_FIELDS = [
    "name",
    "kind",
    "district",
    "mahalla",
    "address",
    "phone",
    "income_sources",
    "state_benefits",
    "adults_employed",
    "monthly_income_uzs",
    "housing",
    "economic_notes",
    "external_id",
]
PERSON_FIELDS = [
    "given_name",
    "family_name",
    "patronymic",
    "sex",
    "birth_date",
    "birth_date_estimated",
    *Person.WG_FIELDS,
    "pinfl",
    "phone",
    "external_id",
]
# Values never copied into the audit trail: the event says that they changed, not what they are.
SECRET_FIELDS = {"pinfl", "economic_notes", "notes"}


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[encrypted]" if k in SECRET_FIELDS and v else v) for k, v in values.items()}


def _require_registrar(actor: User) -> None:
    if not can_register(actor):
        raise PermissionDenied(_("Your role does not allow registering or editing families."))


def _programme_for(actor: User, programme: Programme | None) -> Programme:
    allowed = programmes_of(user=actor)
    if programme is None:
        programme = allowed.first()
        if programme is None:
            raise ApplicationError(_("You are not attached to any programme."))
    elif not allowed.filter(pk=programme.pk).exists():
        raise PermissionDenied(_("You do not work on this programme."))
    return programme


# What _derive_person sets; person_update saves exactly these.
DERIVED_FIELDS = [
    "search_text",
    "name_script",
    "has_disability",
    "pinfl",
    "pinfl_hash",
    *BLOCKING_KEY_FIELDS,
]


def _derive_person(person: Person) -> None:
    """Fields that follow from what was entered: search key, script, disability, PINFL hash and the
    duplicate-detection blocking keys."""
    names = " ".join(p for p in (person.given_name, person.family_name, person.patronymic) if p)
    person.search_text = search_key(names)
    person.name_script = detect_script(names)
    for field, value in blocking_keys(person).items():
        setattr(person, field, value)
    person.has_disability = any((getattr(person, f) or 0) >= 3 for f in Person.WG_FIELDS)
    person.pinfl = (person.pinfl or "").strip()
    person.pinfl_hash = keyed_hash(person.pinfl) if person.pinfl else ""


def _estimated_birth_date(age: int) -> dt.date:
    now = today()
    return (
        dt.date(now.year - age, 7, 1)
        if (now.month, now.day) >= (7, 1)
        else dt.date(now.year - age - 1, 7, 1)
    )


def _person_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    age = data.pop("estimated_age", None)
    if age is not None and not data.get("birth_date"):
        data["birth_date"] = _estimated_birth_date(int(age))
        data["birth_date_estimated"] = True
    return data


def household_refresh_search(*, household: Household) -> None:
    """Rebuild the household's search key from its name and its current members' names."""
    names = [household.name]
    names += [
        m.person.search_text
        for m in household.memberships.filter(ended_on__isnull=True).select_related("person")
    ]
    household.search_text = " | ".join(search_key(n) for n in names if n)
    household.save(update_fields=["search_text", "updated_at"])


@transaction.atomic
def person_create(
    *,
    actor: User,
    data: dict[str, Any],
    household: Household | None = None,
    relationship: str = Membership.Relationship.OTHER,
    programme: Programme | None = None,
    started_on: dt.date | None = None,
) -> Person:
    """Register a person, in a household (taking its owners) or on their own (e.g. a specialist)."""
    _require_registrar(actor)
    data = _person_data(data)
    owner = household or None
    person = Person(
        programme=owner.programme if owner else _programme_for(actor, programme),
        team=owner.team if owner else actor.team,
        caseworker=(
            owner.caseworker if owner else (actor if actor.role == Role.CASEWORKER else None)
        ),
        **{k: v for k, v in data.items() if k in PERSON_FIELDS},
    )
    _derive_person(person)
    person.full_clean()
    person.save(force_insert=True)
    audit.record(
        actor=actor,
        action="person.create",
        target=person,
        after=_audit_values(snapshot(person, [k for k in PERSON_FIELDS if k in data])),
    )
    if household is not None:
        membership_add(
            actor=actor,
            household=household,
            person=person,
            relationship=relationship,
            started_on=started_on or today(),
        )
    return person


@transaction.atomic
def person_update(
    *, actor: User, person: Person, data: dict[str, Any], entry: EntryDecision | None = None
) -> Person:
    """Change a person's details; derived fields and household search keys follow.

    `entry` is what the user chose when the check at entry offered possible duplicates (audited).
    """
    _require_registrar(actor)
    data = _person_data(data)
    person, before, after = model_update(instance=person, data=data, fields=PERSON_FIELDS)
    if entry is not None:
        entry_choice_record(actor=actor, person=person, entry=entry)
    if not after:
        return person
    _derive_person(person)
    person.save(update_fields=DERIVED_FIELDS)
    audit.record(
        actor=actor,
        action="person.update",
        target=person,
        before=_audit_values(before),
        after=_audit_values(after),
    )
    if "sex" in after:  # the published figures count girls
        programme_public_changed(programme_id=person.programme_id)
    if {"given_name", "family_name", "patronymic"} & after.keys():
        for membership in person.memberships.filter(ended_on__isnull=True).select_related(
            "household"
        ):
            household_refresh_search(household=membership.household)
    return person


@transaction.atomic
def membership_add(
    *,
    actor: User,
    household: Household,
    person: Person,
    relationship: str,
    started_on: dt.date,
) -> Membership:
    """Make a person a member of a household from a date."""
    _require_registrar(actor)
    if household.memberships.filter(person=person, ended_on__isnull=True).exists():
        raise ApplicationError(_("This person is already a member of this household."))
    membership = Membership(
        household=household, person=person, relationship=relationship, started_on=started_on
    )
    membership.full_clean()
    membership.save(force_insert=True)
    audit.record(
        actor=actor,
        action="membership.add",
        target=membership,
        after={"household": household.pk, "person": person.pk, "relationship": relationship},
    )
    household_refresh_search(household=household)
    return membership


@transaction.atomic
def membership_end(*, actor: User, membership: Membership, ended_on: dt.date) -> Membership:
    """A person leaves a household on a date (the history is kept)."""
    _require_registrar(actor)
    if membership.ended_on is not None:
        raise ApplicationError(_("This membership has already ended."))
    membership.ended_on = ended_on
    membership.full_clean()
    membership.save(update_fields=["ended_on", "updated_at"])
    audit.record(
        actor=actor, action="membership.end", target=membership, after={"ended_on": ended_on}
    )
    household_refresh_search(household=membership.household)
    return membership


@transaction.atomic
def household_register(
    *,
    actor: User,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    programme: Programme | None = None,
    caseworker: User | None = None,
) -> Household:
    """Register a household with its members (and their enrolments) in one all-or-nothing step.

    Each member is a dict of person fields plus `relationship`, an optional `group` to enrol in and
    an optional `entry` (an EntryDecision: what the user chose when the check at entry offered
    possible duplicates; "link" makes the existing person a member instead of creating one).
    """
    _require_registrar(actor)
    if not members:
        raise ApplicationError(_("A household needs at least one member."), field="members")
    programme = _programme_for(actor, programme)
    if caseworker is None and actor.role == Role.CASEWORKER:
        caseworker = actor
    household = Household(
        programme=programme,
        team=caseworker.team if caseworker else actor.team,
        caseworker=caseworker,
        **{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS},
    )
    household.full_clean()
    household.save(force_insert=True)
    audit.record(
        actor=actor,
        action="household.register",
        target=household,
        after=_audit_values(snapshot(household, [k for k in HOUSEHOLD_FIELDS if k in data])),
    )
    errors: dict[str, Any] = {}
    for index, member in enumerate(members):
        try:
            _add_member(actor=actor, household=household, member=member)
        except ValidationError as exc:
            # Flat keys ("members.0.pinfl") so forms and the API can put each message in its place.
            for field, messages in exc.message_dict.items():
                errors[f"members.{index}.{field}"] = messages
            continue
    if errors:
        # Nothing is kept when one member is wrong: the caller shows every member's errors.
        raise ValidationError(errors)
    return household


@transaction.atomic
def household_update(*, actor: User, household: Household, data: dict[str, Any]) -> Household:
    """Change a household's address and economic situation."""
    _require_registrar(actor)
    household, before, after = model_update(instance=household, data=data, fields=HOUSEHOLD_FIELDS)
    if after:
        audit.record(
            actor=actor,
            action="household.update",
            target=household,
            before=_audit_values(before),
            after=_audit_values(after),
        )
        if "name" in after:
            household_refresh_search(household=household)
    return household


@transaction.atomic
def household_set_owners(
    *,
    actor: User,
    household: Household,
    team: Team | None,
    caseworker: User | None,
    reason: str = "",
) -> Household:
    """Give a household and its current members another team and caseworker (a reassignment).

    The owner fields decide who sees a record (ADR 0005), so members follow their household.
    """
    _require_registrar(actor)
    before = snapshot(household, ["team", "caseworker"])
    household.team, household.caseworker = team, caseworker
    household.full_clean()
    household.save(update_fields=["team", "caseworker", "updated_at"])
    member_ids = household.memberships.filter(ended_on__isnull=True).values("person_id")
    Person.objects.filter(pk__in=member_ids).update(
        team=team, caseworker=caseworker, updated_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="household.owners",
        target=household,
        before=before,
        after=snapshot(household, ["team", "caseworker"]),
        note=reason,
    )
    return household


@transaction.atomic
def care_arrangement_record(
    *, actor: User, person: Person, data: dict[str, Any]
) -> CareArrangement:
    """Record a child's care arrangement from a date; the one it follows ends the day before."""
    _require_registrar(actor)
    arrangement = CareArrangement(person=person, **data)
    arrangement.full_clean()
    current = person.care_arrangements.filter(ended_on__isnull=True).first()
    if current is not None:
        if current.started_on >= arrangement.started_on:
            raise ApplicationError(
                _("The new arrangement must start after the current one (from %(date)s).")
                % {"date": current.started_on},
                field="started_on",
            )
        current.ended_on = arrangement.started_on - dt.timedelta(days=1)
        current.save(update_fields=["ended_on", "updated_at"])
    if arrangement.next_review_on is None and arrangement.is_formal:
        months = person.programme.setting("placement_review_months")
        arrangement.next_review_on = _add_months(arrangement.started_on, months)
    arrangement.save(force_insert=True)
    audit.record(
        actor=actor,
        action="care.record",
        target=arrangement,
        after=_audit_values(snapshot(arrangement, ["person", "type", "started_on", "notes"])),
    )
    return arrangement


@transaction.atomic
def care_arrangement_set_review(
    *, actor: User, arrangement: CareArrangement, next_review_on: dt.date
) -> CareArrangement:
    """Set when a care arrangement is next reviewed (after a placement review)."""
    _require_registrar(actor)
    if arrangement.ended_on is not None:
        raise ApplicationError(_("This care arrangement has ended."))
    before = snapshot(arrangement, ["next_review_on"])
    arrangement.next_review_on = next_review_on
    arrangement.full_clean()
    arrangement.save(update_fields=["next_review_on", "updated_at"])
    audit.record(
        actor=actor,
        action="care.review",
        target=arrangement,
        before=before,
        after=snapshot(arrangement, ["next_review_on"]),
    )
    return arrangement


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def consent_record(*, actor: User, person: Person, data: dict[str, Any]) -> Consent:
    """Record a consent (purpose, who gave it, when)."""
    _require_registrar(actor)
    consent = Consent(person=person, **data)
    consent.full_clean()
    consent.save(force_insert=True)
    audit.record(
        actor=actor,
        action="consent.record",
        target=consent,
        after=snapshot(consent, ["person", "purpose", "given_by", "given_on", "child_assent"]),
    )
    programme_public_changed(programme_id=person.programme_id)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, withdrawn_on: dt.date) -> Consent:
    """Withdraw a consent from a date; the record stays as evidence."""
    _require_registrar(actor)
    if consent.withdrawn_on is not None:
        raise ApplicationError(_("This consent was already withdrawn."))
    if withdrawn_on < consent.given_on:
        raise ApplicationError(_("A consent cannot be withdrawn before it was given."))
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on", "updated_at"])
    audit.record(
        actor=actor, action="consent.withdraw", target=consent, after={"withdrawn_on": withdrawn_on}
    )
    programme_public_changed(programme_id=consent.person.programme_id)
    return consent


@transaction.atomic
def enrolment_create(
    *,
    actor: User,
    programme: Programme,
    group: str,
    enrolled_on: dt.date,
    person: Person | None = None,
    household: Household | None = None,
) -> Enrolment:
    """Enrol a person or a household in a programme's beneficiary group."""
    _require_registrar(actor)
    if (
        person is not None
        and Enrolment.objects.filter(
            programme=programme, person=person, group=group, status=Enrolment.Status.ACTIVE
        ).exists()
    ):
        raise ApplicationError(_("This person is already enrolled in this group."), field="group")
    enrolment = Enrolment(
        programme=programme,
        person=person,
        household=household,
        group=group,
        enrolled_on=enrolled_on,
    )
    enrolment.full_clean()
    enrolment.save(force_insert=True)
    audit.record(
        actor=actor,
        action="enrolment.create",
        target=enrolment,
        after=snapshot(enrolment, ["person", "household", "group", "enrolled_on"]),
    )
    programme_public_changed(programme_id=programme.pk)
    return enrolment


@transaction.atomic
def enrolment_set_status(
    *, actor: User, enrolment: Enrolment, status: str, ended_on: dt.date | None = None
) -> Enrolment:
    """Move an enrolment to graduated, transferred or exited (or back to active)."""
    _require_registrar(actor)
    before = snapshot(enrolment, ["status", "ended_on"])
    enrolment.status = status
    enrolment.ended_on = None if status == Enrolment.Status.ACTIVE else (ended_on or today())
    enrolment.full_clean()
    enrolment.save(update_fields=["status", "ended_on", "updated_at"])
    audit.record(
        actor=actor,
        action="enrolment.status",
        target=enrolment,
        before=before,
        after=snapshot(enrolment, ["status", "ended_on"]),
    )
    programme_public_changed(programme_id=enrolment.programme_id)
    return enrolment


def person_validate(*, data: dict[str, Any]) -> None:
    """Check a person's details against the model's rules without saving anything.

    Raises the ValidationError that person_create would raise for the same data (the fields'
    checks and Person.clean's rules), so a caller can report every member's mistakes before
    household_register runs. Without building a Person: each field's check of a value is made once
    per process (names, sexes and dates repeat: a bulk import checks 100 000 people)."""
    data = _person_data(data)
    given = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    for name in _person_checked(frozenset(given)):
        value = given[name] if name in given else _person_field(name).get_default()
        try:
            cleaned[name] = (
                _person_field_clean(name, value)
                if isinstance(value, Hashable)
                else _person_field(name).clean(value, None)  # not cached
            )
        except ValidationError as exc:
            errors[name] = exc.messages
    rules = person_rule_errors(
        cleaned.get("given_name") or "",
        cleaned.get("family_name") or "",
        cleaned.get("patronymic") or "",
        cleaned.get("birth_date"),
    )
    for name, message in rules.items():
        errors.setdefault(name, [str(message)])
    if errors:
        raise ValidationError(errors)


@lru_cache(maxsize=64)
def _person_checked(given: frozenset[str]) -> tuple[str, ...]:
    """The fields full_clean checks for a person made of `given` fields: those given, and the
    required ones left out (optional ones keep their defaults, valid as they are). The derived
    fields are left out too: they follow from names already checked (tests/transfer/
    test_bulk_services.py compares this with full_clean)."""
    return tuple(
        f.name
        for f in Person._meta.concrete_fields
        if f.editable and not f.primary_key and (f.name in given or not f.blank)
        and f.name not in ("programme", "team", "caseworker")
    )  # fmt: skip


@lru_cache(maxsize=50_000)
def _person_field_clean(name: str, value: Any) -> Any:
    """One field's check of one value (Field.clean: conversion, choices, length, validators)."""
    return _person_field(name).clean(value, None)


def _person_field(name: str) -> Field[Any, Any]:
    field = Person._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"Person.{name} is not a field of its own")
    return field


@transaction.atomic
def household_member_add(
    *,
    actor: User,
    household: Household,
    member: dict[str, Any],
    started_on: dt.date | None = None,
) -> Person:
    """Register a new member of an existing household, enrolled when the member names a group.

    `member` is what household_register takes for one member: person fields, `relationship`, an
    optional `group` and an optional `entry` (with "link", the existing person joins the household).
    """
    return _add_member(actor=actor, household=household, member=member, started_on=started_on)


def _add_member(
    *,
    actor: User,
    household: Household,
    member: dict[str, Any],
    started_on: dt.date | None = None,
) -> Person:
    data = dict(member)
    relationship = data.pop("relationship", Membership.Relationship.OTHER)
    group = data.pop("group", "")
    entry: EntryDecision | None = data.pop("entry", None)
    if entry is not None and entry.choice == "link" and entry.person is not None:
        # "This is the same person": the one on record joins the household; nothing new is created.
        person = entry.person
        membership_add(
            actor=actor,
            household=household,
            person=person,
            relationship=relationship,
            started_on=started_on or today(),
        )
    else:
        person = person_create(
            actor=actor,
            data=data,
            household=household,
            relationship=relationship,
            started_on=started_on,
        )
    if entry is not None:
        entry_choice_record(actor=actor, person=person, entry=entry)
    already = Enrolment.objects.filter(
        programme=household.programme, person=person, group=group, status=Enrolment.Status.ACTIVE
    )
    if group and not already.exists():
        enrolment_create(
            actor=actor,
            programme=household.programme,
            person=person,
            group=group,
            enrolled_on=today(),
        )
    return person


@transaction.atomic
def entry_choice_record(*, actor: User, person: Person, entry: EntryDecision) -> None:
    """Audit what the user chose when the check at entry offered possible duplicates: a new person
    ("new"), the existing one ("link"), or "same" (a duplicate to merge, reported for review)."""
    audit.record(actor=actor, action=ENTRY_CHOICE_ACTION, target=person, after=_entry_after(entry))


def _entry_after(entry: EntryDecision) -> dict[str, Any]:
    return {
        "choice": entry.choice,
        "person": str(entry.person.pk) if entry.person is not None else None,
        "candidates": [
            {"id": str(c.person_id), "score": c.score, "reasons": list(c.reasons)}
            for c in entry.candidates
        ],
    }


# ---------------------------------------------------------------------------------------------------
# Bulk imports (oila.transfer, ADR 0018): the rules, derived fields and audit events of the services
# above, for many records in a few queries. The caller has checked what needs the database (external
# ids free, households visible, the check at entry); the database's constraints still hold.

_BULK = 1000


def _bulk_clean(instance: Any, exclude: list[str], index: int, errors: dict[str, Any]) -> None:
    # The related rows come from the caller (already read), so their existence is not re-queried.
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors[f"{index}.{field}"] = messages


class _SameValuesClean:
    """_bulk_clean for many instances of a model without a clean() of its own (Membership,
    Enrolment): its full_clean depends only on the values of the fields it checks, so instances
    with equal values there are checked once (an import's memberships differ only in their keys)."""

    def __init__(self, model: type[Any], exclude: list[str]) -> None:
        if model.clean is not Model.clean:
            raise TypeError(f"{model.__name__} has a clean() of its own")
        self.exclude = exclude
        self.attnames = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in exclude and not f.primary_key and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
        ]  # fmt: skip
        self.seen: dict[tuple[Any, ...], dict[str, Any]] = {}

    def __call__(self, instance: Any, index: int, errors: dict[str, Any]) -> None:
        key = tuple(getattr(instance, name) for name in self.attnames)
        found = self.seen.get(key)
        if found is None:
            found = {}
            _bulk_clean(instance, self.exclude, 0, found)
            self.seen[key] = found
        for name, messages in found.items():
            errors[f"{index}.{name.partition('.')[2]}"] = messages


@transaction.atomic
def people_import(
    *,
    actor: User,
    items: list[dict[str, Any]],
    refresh_households: bool = True,
    validated: bool = False,
) -> list[Person]:
    """Register many people at once, each a new member of a saved household (bulk imports).

    Each item has `household`, `data` (person fields), `relationship`, an optional `group` to enrol
    in and an optional `entry` (the user's choice at the check at entry, audited). What
    person_create, membership_add and enrolment_create would refuse is raised together, as one
    ValidationError keyed "<item index>.<field>"; nothing is saved then. With `validated`, the
    caller has already passed every item's person fields through person_validate (the same rules),
    so they are not checked a second time.
    """
    _require_registrar(actor)
    errors: dict[str, Any] = {}
    people, memberships, enrolments = [], [], []
    started = today()
    membership_clean = _SameValuesClean(Membership, ["household", "person"])
    enrolment_clean = _SameValuesClean(Enrolment, ["programme", "person", "household"])
    new_person, new_membership, new_enrolment = (
        instance_maker(Person),
        instance_maker(Membership),
        instance_maker(Enrolment),
    )
    for index, item in enumerate(items):
        household, data = item["household"], _person_data(item["data"])
        person = new_person(
            programme_id=household.programme_id,
            team_id=household.team_id,
            caseworker_id=household.caseworker_id,
            **{k: v for k, v in data.items() if k in PERSON_FIELDS},
        )
        _derive_person(person)
        if not validated:
            _bulk_clean(person, ["programme", "team", "caseworker", "merged_into"], index, errors)
        # Keys rather than the objects: nothing below reads them through the relation.
        membership = new_membership(
            household_id=household.pk,
            person_id=person.pk,
            relationship=item.get("relationship") or Membership.Relationship.OTHER,
            started_on=started,
        )
        membership_clean(membership, index, errors)
        people.append((person, data))
        memberships.append(membership)
        if item.get("group"):
            enrolment = new_enrolment(
                programme_id=household.programme_id,
                person_id=person.pk,
                group=item["group"],
                enrolled_on=started,
            )
            enrolment_clean(enrolment, index, errors)
            enrolments.append(enrolment)
    if errors:
        raise ValidationError(errors)
    insert_many(Person, [p for p, _data in people], batch_size=_BULK)
    insert_many(Membership, memberships, batch_size=_BULK)
    insert_many(Enrolment, enrolments, batch_size=_BULK)
    events: list[tuple[str, Any, dict[str, Any] | None]] = []
    for (person, data), membership, item in zip(people, memberships, items, strict=True):
        fields = [k for k in PERSON_FIELDS if k in data]
        events.append(("person.create", person, _audit_values(snapshot(person, fields))))
        events.append(
            (
                "membership.add",
                membership,
                {
                    "household": membership.household_id,
                    "person": person.pk,
                    "relationship": membership.relationship,
                },
            )
        )
        if item.get("entry") is not None:
            events.append((ENTRY_CHOICE_ACTION, person, _entry_after(item["entry"])))
    for enrolment in enrolments:
        events.append(
            (
                "enrolment.create",
                enrolment,
                snapshot(enrolment, ["person", "household", "group", "enrolled_on"]),
            )
        )
    audit.record_many(actor=actor, events=events)
    if refresh_households:
        _households_refresh_search({m.household_id for m in memberships})
    for programme_id in {e.programme_id for e in enrolments}:
        programme_public_changed(programme_id=programme_id)
    return [p for p, _data in people]


def _households_refresh_search(household_ids: set[Any]) -> None:
    """household_refresh_search for many households, in a few queries."""
    ids = list(household_ids)
    for start in range(0, len(ids), _BULK):
        chunk = ids[start : start + _BULK]
        names: dict[Any, list[str]] = {
            pk: [name]
            for pk, name in Household.objects.filter(pk__in=chunk).values_list("pk", "name")
        }
        current = (
            Membership.objects.filter(household__in=chunk, ended_on__isnull=True)
            .order_by("started_on", "person__given_name", "id")
            .values_list("household_id", "person__search_text")
        )
        for household_id, text in current:
            names[household_id].append(text)
        now = timezone.now()
        # The two fields' new values (update_many reads them by name, and the key).
        update_many(
            Household,
            [
                SimpleNamespace(
                    pk=pk, search_text=" | ".join(search_key(n) for n in texts if n), updated_at=now
                )
                for pk, texts in names.items()
            ],
            ["search_text", "updated_at"],
        )


@transaction.atomic
def households_import(
    *,
    actor: User,
    items: list[dict[str, Any]],
    programme: Programme | None = None,
    validated: bool = False,
) -> list[Household]:
    """Register many households at once, each with its head (bulk imports): household_register's
    rules and audit events for households of one member.

    Each item has `data` (household fields), `head` (person fields) and an optional `entry`. Errors
    are raised together, keyed "<item index>.<field>" (a head's fields as "<index>.head_<field>").
    `validated`: the heads' fields have passed person_validate already (see people_import).
    """
    _require_registrar(actor)
    programme = _programme_for(actor, programme)
    caseworker = actor if actor.role == Role.CASEWORKER else None
    team = caseworker.team if caseworker else actor.team
    errors: dict[str, Any] = {}
    households = []
    for index, item in enumerate(items):
        household = Household(
            programme=programme,
            team=team,
            caseworker=caseworker,
            **{k: v for k, v in item["data"].items() if k in HOUSEHOLD_FIELDS},
        )
        _bulk_clean(
            household, ["programme", "team", "caseworker", "district", "mahalla"], index, errors
        )
        households.append(household)
    if errors:
        raise ValidationError(errors)
    for household, item in zip(households, items, strict=True):
        # What household_refresh_search gives a household whose one member is its head.
        head = Person(**{k: v for k, v in item["head"].items() if k in PERSON_FIELDS})
        _derive_person(head)
        household.search_text = " | ".join(
            search_key(n) for n in (household.name, head.search_text) if n
        )
    insert_many(Household, households, batch_size=_BULK)
    audit.record_many(
        actor=actor,
        events=[
            (
                "household.register",
                household,
                _audit_values(
                    snapshot(household, [k for k in HOUSEHOLD_FIELDS if k in item["data"]])
                ),
            )
            for household, item in zip(households, items, strict=True)
        ],
    )
    try:
        people_import(
            actor=actor,
            items=[
                {
                    "household": household,
                    "data": item["head"],
                    "relationship": Membership.Relationship.HEAD,
                    "entry": item.get("entry"),
                }
                for household, item in zip(households, items, strict=True)
            ],
            refresh_households=False,
            validated=validated,
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                f"{key.split('.', 1)[0]}.head_{key.split('.', 1)[1]}": messages
                for key, messages in exc.message_dict.items()
            }
        ) from exc
    return households
