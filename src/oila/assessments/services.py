"""Writes for assessments: loading instrument versions, recording an assessment with its scores.

Recording an assessment also moves the case on (cases.services.case_assessment_recorded) and writes a
line on its timeline, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oila.accounts.models import User
from oila.assessments import definitions
from oila.assessments.models import Assessment, Instrument, Item, ScaleLevel, Score
from oila.audit import services as audit
from oila.cases import services as cases
from oila.cases.deadlines import add_months
from oila.cases.models import Case
from oila.cases.visibility import can_decide, can_work_cases
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.registry.models import Person

ScoresInput = Mapping[str, Any] | Iterable[tuple[str, Any]]


@transaction.atomic
def instrument_load(*, actor: User | None, definition: Any) -> Instrument:
    """Add a version of an instrument from its definition (see assessments.definitions).

    Loading the same definition again changes nothing; a different one under a version that is
    already loaded, or an older version than the newest loaded, is refused.
    """
    try:
        checked = definitions.normalise(definition)
    except definitions.DefinitionError as exc:
        raise ApplicationError(str(exc)) from exc
    code, version = checked["code"], checked["version"]
    existing = Instrument.objects.filter(code=code, version=version).first()
    if existing is not None:
        if definitions.as_definition(existing) == checked:
            return existing
        raise ApplicationError(
            _(
                "Version %(version)s of %(code)s is already loaded with different content; "
                "give the new definition a higher version."
            )
            % {"version": version, "code": code}
        )
    if Instrument.objects.filter(code=code, version__gt=version).exists():
        raise ApplicationError(_("A newer version of %(code)s is already loaded.") % {"code": code})
    instrument: Instrument = definitions.write(
        checked, instrument_model=Instrument, item_model=Item, level_model=ScaleLevel
    )
    audit.record(
        actor=actor,
        action="instrument.load",
        target=instrument,
        after={"code": code, "version": version, "items": len(checked["items"])},
    )
    return instrument


def _pairs(scores: ScoresInput) -> list[tuple[str, Any]]:
    if isinstance(scores, Mapping):
        return [(str(k), v) for k, v in scores.items()]
    return [(str(k), v) for k, v in scores]


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def check_scores(*, instrument: Instrument, scores: ScoresInput) -> dict[Item, int]:
    """Every item of the instrument scored exactly once, on its scale; ValidationError names the items."""
    items = {item.code: item for item in instrument.items.prefetch_related("levels")}
    problems: list[str] = []
    given: dict[str, int] = {}
    for code, raw in _pairs(scores):
        item = items.get(code)
        if item is None:
            problems.append(_("%(code)s is not an item of this instrument.") % {"code": code})
            continue
        name = f"{item.code} {item.label}"
        if code in given:
            problems.append(_("%(item)s: scored more than once.") % {"item": name})
            continue
        allowed = sorted(level.value for level in item.levels.all())
        value = _as_int(raw)
        if value is None or value not in allowed:
            problems.append(
                _("%(item)s: %(value)s is not on the scale (%(low)s–%(high)s).")
                % {"item": name, "value": raw, "low": allowed[0], "high": allowed[-1]}
                if raw not in (None, "")
                else _("%(item)s: not scored.") % {"item": name}
            )
            given[code] = 0
            continue
        given[code] = value
    for code, item in items.items():
        if code not in given:
            problems.append(_("%(item)s: not scored.") % {"item": f"{item.code} {item.label}"})
    if problems:
        raise ValidationError({"scores": problems})
    return {items[code]: value for code, value in given.items()}


def _check_subject(case: Case, instrument: Instrument, subject: Person | None) -> Person | None:
    if instrument.applies_to == Instrument.AppliesTo.HOUSEHOLD:
        if subject is not None:
            raise ApplicationError(
                _("This instrument assesses the household, not one person."), field="subject"
            )
        return None
    if subject is None:
        if case.kind == Case.Kind.CHILD and case.subject is not None:
            return case.subject
        raise ApplicationError(_("Choose the person assessed."), field="subject")
    if case.kind == Case.Kind.CHILD:
        if subject.pk != case.subject_id:
            raise ApplicationError(_("This person is not the child of the case."), field="subject")
    elif not case.household.memberships.filter(person=subject, ended_on__isnull=True).exists():
        raise ApplicationError(_("This person is not a member of the household."), field="subject")
    return subject


def csi_too_soon(*, case: Case, subject: Person | None, assessed_on: dt.date) -> Assessment | None:
    """The CSI of the same person that is closer than the programme's reassessment interval, if any."""
    if subject is None:
        return None
    months = int(case.programme.setting("csi_reassessment_months"))
    return (
        Assessment.objects.filter(
            instrument__code="csi",
            subject=subject,
            assessed_on__gt=add_months(assessed_on, -months),
            assessed_on__lt=add_months(assessed_on, months),
        )
        .order_by("-assessed_on")
        .first()
    )


def _check_interval(
    *, actor: User, case: Case, subject: Person | None, assessed_on: dt.date, early_reason: str
) -> str:
    """Refuse a CSI sooner than the interval allows, unless a supervisor gives a reason."""
    previous = csi_too_soon(case=case, subject=subject, assessed_on=assessed_on)
    if previous is None:
        return ""
    months = int(case.programme.setting("csi_reassessment_months"))
    if not can_decide(actor, case):
        raise ApplicationError(
            _(
                "A CSI was recorded for this child on %(date)s; the next one is due from %(due)s "
                "(every %(months)s months). Only a supervisor may record one sooner, with a reason."
            )
            % {
                "date": previous.assessed_on.isoformat(),
                "due": add_months(previous.assessed_on, months).isoformat(),
                "months": months,
            },
            field="assessed_on",
        )
    if not early_reason.strip():
        raise ApplicationError(
            _(
                "A CSI was recorded for this child on %(date)s, less than %(months)s months ago. "
                "Give the reason for reassessing early."
            )
            % {"date": previous.assessed_on.isoformat(), "months": months},
            field="early_reason",
        )
    return early_reason.strip()


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    case: Case,
    instrument: Instrument,
    assessed_on: dt.date,
    scores: ScoresInput,
    subject: Person | None = None,
    notes: str = "",
    early_reason: str = "",
    assessor: User | None = None,
) -> Assessment:
    """Record an assessment of a case's child, young person or household, with every item scored."""
    if not can_work_cases(actor):
        raise PermissionDenied(_("Your role does not work with cases."))
    if not case.is_open:
        raise ApplicationError(_("This case is closed. Reopen it first."))
    if not instrument.active:
        raise ApplicationError(
            _("This version of the instrument is no longer in use."), field="instrument"
        )
    if assessed_on > today():
        raise ApplicationError(
            _("The date of the assessment cannot be in the future."), field="assessed_on"
        )
    assessor = assessor or actor
    if not can_work_cases(assessor):
        raise ApplicationError(_("The assessor must be a member of staff."), field="assessor")
    subject = _check_subject(case, instrument, subject)
    checked = check_scores(instrument=instrument, scores=scores)
    reason = ""
    if instrument.is_csi:
        reason = _check_interval(
            actor=actor,
            case=case,
            subject=subject,
            assessed_on=assessed_on,
            early_reason=early_reason,
        )

    assessment = Assessment(
        case=case,
        instrument=instrument,
        subject=subject,
        assessed_on=assessed_on,
        assessor=assessor,
        notes=notes.strip(),
        early_reason=reason,
    )
    assessment.full_clean()
    assessment.save(force_insert=True)
    rows = [Score(assessment=assessment, item=item, value=value) for item, value in checked.items()]
    for row in rows:
        # One score per item, each item of this instrument, the assessment just saved: all checked
        # above, so neither the constraints nor the two keys cost a query per row.
        row.full_clean(exclude=["assessment", "item"], validate_constraints=False)
    Score.objects.bulk_create(rows)

    audit.record(
        actor=actor,
        action="assessment.record",
        target=assessment,
        after={
            "case": str(case.pk),
            "instrument": f"{instrument.code} v{instrument.version}",
            "subject": str(subject.pk) if subject else None,
            "assessed_on": assessed_on.isoformat(),
            "assessor": str(assessor.pk),
            "scores": {item.code: value for item, value in checked.items()},
            "notes": "[encrypted]" if assessment.notes else "",
            "early_reason": "[encrypted]" if reason else "",
        },
    )
    cases.case_event_add(
        case=case,
        actor=actor,
        kind="assessment.recorded",
        message=gettext_noop("%(instrument)s assessment recorded (%(date)s)."),
        params={"instrument": instrument.abbreviation, "date": assessed_on.isoformat()},
        url=reverse("assessments:assessment", args=[case.pk, assessment.pk]),
    )
    cases.case_assessment_recorded(
        actor=actor, case=case, assessed_on=assessed_on, is_csi=instrument.is_csi
    )
    return assessment
