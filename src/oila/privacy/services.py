"""Writes of the data-protection app: break-the-glass grants, the audit of the DPO's own searches
and exports, and the anonymisation of closed cases. Each writes its audit event in its transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oila.accounts.models import Programme, Role, User
from oila.accounts.services import notify
from oila.audit import services as audit
from oila.audit.models import AuditEvent
from oila.cases.models import OPEN_STATUSES, Case
from oila.common.crypto import keyed_hash
from oila.common.errors import ApplicationError
from oila.registry.models import BreakGlassGrant, BreakGlassRecord, Household, Membership, Person
from oila.registry.visibility import may_break_glass, owned_scope

REASON_MIN_LENGTH = 20


@dataclass(frozen=True)
class Opened:
    """Where the user goes after breaking the glass, and the grant (None: already in scope)."""

    url: str
    grant: BreakGlassGrant | None


def _find(kind: str, identifier: str, programme_id: Any) -> Household | Person | Case | None:
    """The record a break-the-glass request names, in the given programme only."""
    ident = identifier.strip()
    as_uuid: uuid.UUID | None
    try:
        as_uuid = uuid.UUID(ident)
    except ValueError:
        as_uuid = None
    if kind == BreakGlassGrant.Kind.HOUSEHOLD:
        by = Q(pk=as_uuid) if as_uuid else Q(external_id=ident)
        return Household.objects.filter(by, programme=programme_id).first() if ident else None
    if kind == BreakGlassGrant.Kind.PERSON:
        if as_uuid:
            by = Q(pk=as_uuid)
        elif ident.isdigit() and len(ident) == 14:
            by = Q(pinfl_hash=keyed_hash(ident))
        else:
            return None
        return Person.objects.filter(by, programme=programme_id, merged_into__isnull=True).first()
    if kind == BreakGlassGrant.Kind.CASE:
        by = Q(pk=as_uuid) if as_uuid else Q(number__iexact=ident)
        return Case.objects.filter(by, programme=programme_id).first() if ident else None
    return None


def _opened_records(record: Household | Person | Case) -> tuple[Household | None, set[Any]]:
    """What a grant opens: the record's household(s), their members and their cases."""
    if isinstance(record, Household):
        household_ids = {record.pk}
    elif isinstance(record, Person):
        household_ids = set(
            Membership.objects.filter(person=record).values_list("household_id", flat=True)
        )
    else:
        household_ids = {record.household_id}
    people = set(
        Membership.objects.filter(household__in=household_ids).values_list("person_id", flat=True)
    )
    if isinstance(record, Person):
        people.add(record.pk)
    cases = set(
        Case.objects.filter(Q(household__in=household_ids) | Q(subject__in=people)).values_list(
            "pk", flat=True
        )
    )
    main = (
        Household.objects.filter(pk=record.household_id).first()
        if isinstance(record, Case)
        else record
        if isinstance(record, Household)
        else Household.objects.filter(pk__in=household_ids).order_by("name").first()
    )
    return main, household_ids | people | cases


@transaction.atomic
def break_glass_open(*, actor: User, kind: str, identifier: str, reason: str) -> Opened:
    """Open an out-of-scope household, person or case of the actor's programme for an emergency:
    a written reason, access for the programme's `break_glass_hours`, audited, the DPOs told."""
    if not may_break_glass(actor):
        raise ApplicationError(_("Your role cannot open records outside your scope."))
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ApplicationError(
            _("Explain the emergency in at least %(count)d characters.")
            % {"count": REASON_MIN_LENGTH},
            field="reason",
        )
    programme = Programme.objects.get(teams=actor.team_id)
    record = _find(kind, identifier, programme.pk)
    if record is None:
        raise ApplicationError(
            _("No such record in your programme. Check the identifier."), field="identifier"
        )
    model = type(record)
    if model.objects.filter(owned_scope(actor), pk=record.pk).exists():
        return Opened(url=record.get_absolute_url(), grant=None)
    household, record_ids = _opened_records(record)
    expires_at = timezone.now() + dt.timedelta(hours=float(programme.setting("break_glass_hours")))
    grant = BreakGlassGrant(
        user=actor,
        programme=programme,
        household=household,
        kind=kind,
        identifier=identifier.strip()[:64],
        record_id=record.pk,
        reason=reason,
        expires_at=expires_at,
    )
    grant.full_clean()
    grant.save(force_insert=True)
    BreakGlassRecord.objects.bulk_create(
        [BreakGlassRecord(grant=grant, record_id=pk) for pk in sorted(record_ids, key=str)]
    )
    # The user's mark that a grant is live (ADR 0025), moved only forward: compared in the database,
    # where a longer grant made meanwhile in another session may already be.
    later = Q(break_glass_until__isnull=True) | Q(break_glass_until__lt=expires_at)
    User.objects.filter(later, pk=actor.pk).update(break_glass_until=expires_at)
    actor.break_glass_until = User.objects.values_list("break_glass_until", flat=True).get(
        pk=actor.pk
    )
    audit.record(
        actor=actor,
        action="break_glass.grant",
        target=grant,
        after={
            "kind": kind,
            "record_id": record.pk,
            "household_id": household.pk if household else None,
            "records": len(record_ids),
            "expires_at": expires_at,
        },
    )
    officers = User.objects.filter(role=Role.DPO, is_active=True, programmes=programme).distinct()
    for officer in officers:
        notify(
            user=officer,
            kind="privacy.break_glass",
            message=gettext_noop(
                "%(user)s broke the glass to open a %(kind)s record outside their scope."
            ),
            params={"user": actor.get_username(), "kind": kind},
            url="/dpo/break-glass/grants/",
            email=True,
        )
    return Opened(url=record.get_absolute_url(), grant=grant)


def active_grant_records(*, user: Any) -> dict[str, str]:
    """The records the user's live grants open (record id -> grant id), for the audit of reads."""
    rows = BreakGlassRecord.objects.filter(
        grant__user=user.pk, grant__expires_at__gt=timezone.now()
    ).values_list("record_id", "grant_id")
    return {str(record): str(grant) for record, grant in rows}


def audit_search_record(*, actor: User, filters: dict[str, Any], person: Person | None) -> None:
    """A DPO's search of the audit log is itself audited (a read, about the person if one)."""
    audit.record(
        actor=actor,
        action="dpo.audit_search",
        target=person,
        kind=AuditEvent.Kind.READ,
        after={k: v for k, v in filters.items() if v not in (None, "")},
    )


def person_export_record(*, actor: User, person: Person, fmt: str) -> None:
    """A subject-access export (GDPR art. 15) is audited with its format."""
    audit.record(
        actor=actor,
        action="privacy.export",
        target=person,
        kind=AuditEvent.Kind.READ,
        after={"format": fmt},
    )


# — anonymisation of closed cases —

ANONYMOUS_GIVEN = "Anonymised"
ANONYMOUS_FAMILY = "Anonymised"


@dataclass
class AnonymisationResult:
    households: list[Any] = field(default_factory=list)
    people: list[Any] = field(default_factory=list)
    cases: list[Any] = field(default_factory=list)


def _cutoff(programme: Programme, on: dt.date) -> dt.date:
    years = int(programme.setting("anonymise_after_years"))
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def anonymisation_candidates(*, on: dt.date | None = None) -> AnonymisationResult:
    """Households whose cases are all closed, the last closed more than the programme's
    `anonymise_after_years` ago, and whose members have no open case and no more recent case
    anywhere; with those members and cases. Households already anonymised are left out."""
    on = on or timezone.localdate()
    result = AnonymisationResult()
    for programme in Programme.objects.all():
        cutoff = _cutoff(programme, on)
        households = (
            Household.objects.filter(programme=programme, cases__isnull=False)
            .exclude(cases__status__in=OPEN_STATUSES)
            .exclude(name=ANONYMOUS_FAMILY)
            .annotate(last_closed=Max("cases__closed_on"))
            .filter(last_closed__lt=cutoff)
        )
        for household in households:
            people = list(Person.objects.filter(memberships__household=household).distinct())
            # a member with an open or a more recent case elsewhere keeps the whole household
            # identifiable: the case team may still need its history.
            blocking = Case.objects.filter(
                Q(subject__in=people) | Q(household__memberships__person__in=people)
            ).filter(Q(status__in=OPEN_STATUSES) | Q(closed_on__gte=cutoff))
            if blocking.exists():
                continue
            result.households.append(household)
            result.people.extend(p for p in people if p.given_name != ANONYMOUS_GIVEN)
            result.cases.extend(Case.objects.filter(household=household))
    return result


def _blank(model: Any, ids: list[Any], keep: set[str], fixed: dict[str, Any] | None = None) -> int:
    """Empty every free-text field (and file) of these rows, except `keep`; `fixed` overrides."""
    from django.db import models as m

    values: dict[str, Any] = dict(fixed or {})
    for f in model._meta.concrete_fields:
        if f.name in keep or f.name in values or f.primary_key or f.is_relation:
            continue
        if isinstance(f, m.FileField):
            for row in model.objects.filter(pk__in=ids).exclude(**{f.name: ""}):
                stored = getattr(row, f.name)
                if stored:
                    stored.delete(save=False)
            values[f.name] = ""
        elif isinstance(f, m.CharField | m.TextField) and not f.choices:
            values[f.name] = "" if f.blank else "—"
    if not ids or not values:
        return 0
    return int(model.objects.filter(pk__in=ids).update(**values))


@transaction.atomic
def anonymise(*, actor: Any, on: dt.date | None = None) -> AnonymisationResult:
    """Anonymise what `anonymisation_candidates` finds: names replaced; PINFL, phone, addresses,
    narratives, notes and attachments removed; kept only what indicators count (sex, birth year,
    district, disability, enrolment groups). Idempotent: an anonymised household is not found again.
    One audit event per household, none when there is nothing to do."""
    from oila.assessments.models import Assessment
    from oila.cases.models import CaseEvent, GatekeepingDecision, Visit
    from oila.dedup.models import DuplicateCandidate, Merge
    from oila.plans.models import Action, Goal, Plan
    from oila.registry.models import CareArrangement, Consent
    from oila.support.models import Referral, ServiceDelivery
    from oila.youth.models import FollowUp, Placement, YouthTraining

    found = anonymisation_candidates(on=on)
    people = [p.pk for p in found.people]
    for household in found.households:
        cases = [c.pk for c in found.cases if c.household_id == household.pk]
        members = list(
            Person.objects.filter(memberships__household=household).values_list("pk", flat=True)
        )
        _blank(Household, [household.pk], {"kind", "housing"}, {"name": ANONYMOUS_FAMILY})
        _blank(
            Person,
            [pk for pk in members if pk in people],
            {"sex", "name_script"},
            {"given_name": ANONYMOUS_GIVEN, "family_name": ANONYMOUS_FAMILY},
        )
        born = Person.objects.filter(pk__in=members, birth_date__isnull=False)
        for pk, birth_date in born.values_list("pk", "birth_date"):
            # the birth year stays (age groups); the day and month go
            if birth_date is None:  # filtered above; for the type checker
                continue
            Person.objects.filter(pk=pk).update(
                birth_date=dt.date(birth_date.year, 1, 1), birth_date_estimated=True
            )
        Household.objects.filter(pk=household.pk).update(
            mahalla=None, income_sources=[], state_benefits=[], monthly_income_uzs=None
        )
        _blank(Case, cases, {"number"})
        _blank(CaseEvent, list(CaseEvent.objects.filter(case__in=cases).values_list("pk", flat=True)),
               {"kind", "message", "url"})  # fmt: skip
        CaseEvent.objects.filter(case__in=cases).update(params={})
        by_case: list[tuple[Any, str]] = [
            (Visit, "case__in"),
            (GatekeepingDecision, "case__in"),
            (Assessment, "case__in"),
            (Plan, "case__in"),
            (Goal, "plan__case__in"),
            (Action, "goal__plan__case__in"),
            (ServiceDelivery, "case__in"),
            (Referral, "case__in"),
        ]
        for model, lookup in by_case:
            ids = list(model.objects.filter(**{lookup: cases}).values_list("pk", flat=True))
            _blank(model, ids, {"number"})
        by_person: list[tuple[Any, str]] = [
            (CareArrangement, "person__in"),
            (Consent, "person__in"),
            (YouthTraining, "person__in"),
            (Placement, "person__in"),
            (FollowUp, "placement__person__in"),
        ]
        for model, lookup in by_person:
            ids = list(model.objects.filter(**{lookup: members}).values_list("pk", flat=True))
            _blank(model, ids, set())
        DuplicateCandidate.objects.filter(Q(person_a__in=members) | Q(person_b__in=members)).update(
            note="", reasons=[]
        )
        Merge.objects.filter(Q(survivor__in=members) | Q(merged__in=members)).update(kept=[])
        audit.record(
            actor=actor,
            action="privacy.anonymise",
            target=household,
            after={"people": len(members), "cases": len(cases)},
        )
    return found
