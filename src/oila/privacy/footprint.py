"""Everything the system holds about one person (GDPR art. 15, the data subject's access): the
registry record, households, consents, enrolments, care, cases and all hung on them, services,
referrals, youth and training records, and the audit events about any of them.

Used by the DPO's export (JSON and PDF) and by the audit search by person, so both agree on what
"about this person" means: the person, their households, their own cases and their family's cases.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from oila.assessments.models import Assessment
from oila.audit.models import AuditEvent
from oila.cases.models import Case, CaseEvent, GatekeepingDecision, Visit
from oila.plans.models import Action, Goal, Plan
from oila.registry.models import (
    CareArrangement,
    Consent,
    Enrolment,
    Household,
    Membership,
    Person,
)
from oila.support.models import Referral, ServiceDelivery
from oila.training.models import Specialist, TrainingParticipation
from oila.youth.models import FollowUp, Placement, YouthTraining

# Derived search keys and chain hashes: not information about the person, left out of the export.
INTERNAL_FIELDS = {
    "search_text",
    "fold_given",
    "fold_family",
    "fold_patronymic",
    "name_key",
    "sound_key",
    "pinfl_hash",
    "prev_hash",
    "hash",
}


@dataclass
class Footprint:
    person: Person
    sections: list[tuple[str, list[models.Model]]]
    audit_events: list[AuditEvent]

    def record_ids(self) -> set[str]:
        return {str(obj.pk) for _, rows in self.sections for obj in rows}


def related_records(person: Person) -> list[tuple[str, list[models.Model]]]:
    """The person's records by kind, in a fixed order (about 20 queries, whatever their number)."""
    memberships = list(
        Membership.objects.filter(person=person).select_related("household").order_by("started_on")
    )
    household_ids = {m.household_id for m in memberships}
    cases = list(
        Case.objects.filter(
            Q(subject=person) | Q(household__in=household_ids, kind=Case.Kind.FAMILY)
        ).order_by("opened_on", "number")
    )
    plans = list(Plan.objects.filter(case__in=cases).order_by("created_at"))
    goals = list(Goal.objects.filter(plan__in=plans).order_by("created_at"))
    placements = list(Placement.objects.filter(person=person).order_by("created_at"))
    return [
        ("person", [person]),
        ("memberships", list(memberships)),
        ("households", list(Household.objects.filter(pk__in=household_ids).order_by("name"))),
        ("consents", list(Consent.objects.filter(person=person).order_by("given_on"))),
        (
            "enrolments",
            list(
                Enrolment.objects.filter(
                    Q(person=person) | Q(household__in=household_ids)
                ).order_by("enrolled_on")
            ),
        ),
        (
            "care_arrangements",
            list(CareArrangement.objects.filter(person=person).order_by("started_on")),
        ),
        ("cases", cases),
        ("case_events", list(CaseEvent.objects.filter(case__in=cases).order_by("created_at"))),
        ("visits", list(Visit.objects.filter(case__in=cases).order_by("created_at"))),
        (
            "gatekeeping_decisions",
            list(
                GatekeepingDecision.objects.filter(Q(case__in=cases) | Q(child=person)).order_by(
                    "created_at"
                )
            ),
        ),
        (
            "assessments",
            list(
                Assessment.objects.filter(Q(case__in=cases) | Q(subject=person)).order_by(
                    "created_at"
                )
            ),
        ),
        ("plans", plans),
        ("goals", goals),
        ("actions", list(Action.objects.filter(goal__in=goals).order_by("created_at"))),
        (
            "service_deliveries",
            list(
                ServiceDelivery.objects.filter(Q(case__in=cases) | Q(attendances__person=person))
                .distinct()
                .order_by("created_at")
            ),
        ),
        (
            "referrals",
            list(
                Referral.objects.filter(Q(person=person) | Q(case__in=cases)).order_by("created_at")
            ),
        ),
        (
            "youth_trainings",
            list(YouthTraining.objects.filter(person=person).order_by("created_at")),
        ),
        ("job_placements", placements),
        (
            "follow_ups",
            list(FollowUp.objects.filter(placement__in=placements).order_by("created_at")),
        ),
        ("specialist_profiles", list(Specialist.objects.filter(person=person))),
        (
            "training_participations",
            list(TrainingParticipation.objects.filter(person=person).order_by("created_at")),
        ),
    ]


def footprint(person: Person) -> Footprint:
    """The person's records and the audit events about any of them."""
    sections = related_records(person)
    ids = [str(obj.pk) for _, rows in sections for obj in rows]
    events = list(AuditEvent.objects.filter(target_id__in=ids).order_by("seq"))
    return Footprint(person=person, sections=sections, audit_events=events)


def _value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in value.items()}
    return str(value)


def as_row(obj: models.Model) -> dict[str, Any]:
    """One record's stored fields (encrypted ones decrypted; relations as ids)."""
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in INTERNAL_FIELDS:
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        row[field.name if not field.is_relation else field.attname] = _value(value)
    return row


def as_document(fp: Footprint, *, exported_by: str, exported_at: dt.datetime) -> dict[str, Any]:
    """The export as one JSON-ready document."""
    document: dict[str, Any] = {
        "exported_at": exported_at.isoformat(),
        "exported_by": exported_by,
        "person_id": str(fp.person.pk),
    }
    for name, rows in fp.sections:
        document[name] = [as_row(obj) for obj in rows]
    document["audit_events"] = [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "kind": e.kind,
            "actor": e.actor_username,
            "action": e.action,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "note": e.note,
        }
        for e in fp.audit_events
    ]
    return document
