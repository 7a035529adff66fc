"""What an indicator definition may say, and the check that refuses a bad one before it is saved.

A definition is JSON that the M&E officer edits (ADR 0016)::

    {"numerator": {"source": "enrolments", "subject": "person", "period": "active",
                   "conditions": [{"field": "group", "op": "eq", "value": "vulnerable_child"}]},
     "denominator": {...},                      # a percentage only
     "age_bands": "standard"}                   # or "youth" (15–24, employability)

Only the sources and fields listed here can be named: the engine turns them into database lookups, so
the whitelist is also what keeps a definition from reaching a name, a PINFL or a narrative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oila.accounts.models import Organisation
from oila.assessments.models import Assessment
from oila.cases.models import Case
from oila.plans.models import Plan
from oila.registry.models import CareArrangement, Enrolment, Person
from oila.support.models import DeliveryAttendance, Referral, ServiceType
from oila.training.models import TrainingParticipation
from oila.youth.models import FollowUp, Placement, YouthTraining

CHOICE, BOOL, INT, TEXT = "choice", "bool", "int", "text"
OPS = {
    CHOICE: ("eq", "ne", "in"),
    TEXT: ("eq", "ne", "in"),
    BOOL: ("eq",),
    INT: ("eq", "ne", "gte", "lte", "gt", "lt"),
}
SUBJECTS = ("person", "household", "record")
PERIODS = ("within", "to_date", "active", "any")
AGE_BAND_SETS = ("standard", "youth")
CHANGES = ("improved", "unchanged", "worsened")


@dataclass(frozen=True)
class SourceField:
    lookup: str
    type: str
    label: Any
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """One kind of record an indicator can count, and how the engine reaches what it needs."""

    key: str
    label: Any
    model: Any
    programme: str  # lookup to the programme
    dates: dict[str, str]  # the record's dates by name (the first is the default) -> lookup
    person: str | None  # lookup to the person the record is about (None: never a person)
    household: str | None = None  # lookup to the household, when the record names one
    end: str | None = None  # the record's end date: lets "active during the period" be asked
    fields: dict[str, SourceField] = field(default_factory=dict)
    computed: bool = False  # rows are people, with figures the engine computes (see engine)


def _choices(choices: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in choices.values)


SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            "enrolments",
            gettext_lazy("programme enrolments"),
            Enrolment,
            programme="programme",
            dates={"enrolled_on": "enrolled_on", "ended_on": "ended_on"},
            end="ended_on",
            person="person",
            household="household",
            fields={
                "group": SourceField(
                    "group", CHOICE, gettext_lazy("beneficiary group"), _choices(Enrolment.Group)
                ),
                "status": SourceField(
                    "status", CHOICE, gettext_lazy("status"), _choices(Enrolment.Status)
                ),
            },
        ),
        Source(
            "cases",
            gettext_lazy("cases"),
            Case,
            programme="programme",
            dates={"opened_on": "opened_on", "closed_on": "closed_on"},
            end="closed_on",
            person="subject",
            household="household",
            fields={
                "kind": SourceField("kind", CHOICE, gettext_lazy("kind"), _choices(Case.Kind)),
                "status": SourceField(
                    "status", CHOICE, gettext_lazy("status"), _choices(Case.Status)
                ),
                "risk": SourceField("risk", CHOICE, gettext_lazy("risk"), _choices(Case.Risk)),
                "closure_reason": SourceField(
                    "closure_reason",
                    CHOICE,
                    gettext_lazy("closure reason"),
                    _choices(Case.ClosureReason),
                ),
            },
        ),
        Source(
            "assessments",
            gettext_lazy("assessments"),
            Assessment,
            programme="case__programme",
            dates={"assessed_on": "assessed_on"},
            person="subject",
            household="case__household",
            fields={
                "instrument": SourceField(
                    "instrument__code", TEXT, gettext_lazy("instrument code")
                ),
            },
        ),
        Source(
            "assessment_change",
            gettext_lazy("change between first and latest assessment"),
            Person,
            programme="programme",
            dates={},
            person="pk",
            computed=True,
            fields={
                "change": SourceField("change", CHOICE, gettext_lazy("change"), CHANGES),
                "assessments": SourceField(
                    "n_assessments", INT, gettext_lazy("number of assessments")
                ),
            },
        ),
        Source(
            "plans",
            gettext_lazy("case plans"),
            Plan,
            programme="case__programme",
            dates={"created_on": "created_at__date"},
            person="case__subject",
            household="case__household",
            fields={
                "status": SourceField(
                    "status", CHOICE, gettext_lazy("status"), _choices(Plan.Status)
                ),
            },
        ),
        Source(
            "services",
            gettext_lazy("service deliveries (attendance)"),
            DeliveryAttendance,
            programme="delivery__programme",
            dates={"delivered_on": "delivery__delivered_on"},
            person="person",
            fields={
                "attended": SourceField("attended", BOOL, gettext_lazy("attended")),
                "category": SourceField(
                    "delivery__service_type__category",
                    CHOICE,
                    gettext_lazy("service category"),
                    _choices(ServiceType.Category),
                ),
                "service": SourceField(
                    "delivery__service_type__code", TEXT, gettext_lazy("service code")
                ),
                "kind": SourceField(
                    "delivery__kind", CHOICE, gettext_lazy("kind"), ("individual", "group")
                ),
            },
        ),
        Source(
            "referrals",
            gettext_lazy("referrals"),
            Referral,
            programme="programme",
            dates={"referred_on": "created_at__date", "reported_on": "reported_at__date"},
            person="person",
            household="household",
            fields={
                "status": SourceField(
                    "status", CHOICE, gettext_lazy("status"), _choices(Referral.Status)
                ),
                "urgency": SourceField(
                    "urgency", CHOICE, gettext_lazy("urgency"), _choices(Referral.Urgency)
                ),
                "category": SourceField(
                    "service_type__category",
                    CHOICE,
                    gettext_lazy("service category"),
                    _choices(ServiceType.Category),
                ),
                "to_type": SourceField(
                    "to_organisation__type",
                    CHOICE,
                    gettext_lazy("kind of agency referred to"),
                    _choices(Organisation.Type),
                ),
            },
        ),
        Source(
            "youth_trainings",
            gettext_lazy("youth trainings"),
            YouthTraining,
            programme="programme",
            dates={"starts_on": "starts_on", "completed_on": "completed_on"},
            end="ends_on",
            person="person",
            fields={
                "kind": SourceField(
                    "kind", CHOICE, gettext_lazy("kind"), _choices(YouthTraining.Kind)
                ),
                "completed": SourceField("completed", BOOL, gettext_lazy("completed")),
            },
        ),
        Source(
            "placements",
            gettext_lazy("youth job placements"),
            Placement,
            programme="programme",
            dates={"starts_on": "starts_on"},
            end="ended_on",
            person="person",
            fields={
                "kind": SourceField("kind", CHOICE, gettext_lazy("kind"), _choices(Placement.Kind)),
                "contract_type": SourceField(
                    "contract_type",
                    CHOICE,
                    gettext_lazy("contract type"),
                    ("", *_choices(Placement.Contract)),
                ),
            },
        ),
        Source(
            "follow_ups",
            gettext_lazy("placement follow-ups"),
            FollowUp,
            programme="placement__programme",
            dates={"done_on": "done_on", "due_on": "due_on"},
            person="placement__person",
            fields={
                "month": SourceField("month", INT, gettext_lazy("months after the start")),
                "still_working": SourceField("still_working", BOOL, gettext_lazy("still working")),
            },
        ),
        Source(
            "training",
            gettext_lazy("training participations (specialists)"),
            TrainingParticipation,
            programme="event__programme",
            dates={"ended_on": "event__ends_on"},
            person="person",
            fields={
                "attended": SourceField("attended", BOOL, gettext_lazy("attended")),
                "pre_score": SourceField("pre_score", INT, gettext_lazy("pre-test score (%)")),
                "post_score": SourceField("post_score", INT, gettext_lazy("post-test score (%)")),
            },
        ),
        Source(
            "care",
            gettext_lazy("care arrangements"),
            CareArrangement,
            programme="person__programme",
            dates={"started_on": "started_on"},
            end="ended_on",
            person="person",
            fields={
                "type": SourceField(
                    "type",
                    CHOICE,
                    gettext_lazy("care arrangement"),
                    _choices(CareArrangement.Type),
                ),
                "previous_type": SourceField(
                    "previous_type",
                    CHOICE,
                    gettext_lazy("the child's previous care arrangement"),
                    _choices(CareArrangement.Type),
                ),
            },
        ),
    ]
}

DIMENSIONS: dict[str, Any] = {
    "sex": gettext_lazy("sex"),
    "age": gettext_lazy("age band"),
    "disability": gettext_lazy("disability"),
    "district": gettext_lazy("district"),
    "group": gettext_lazy("beneficiary group"),
    "care": gettext_lazy("care arrangement"),
}
PERSON_DIMENSIONS = ("sex", "age", "disability", "care")


class DefinitionError(Exception):
    """A definition the engine cannot compute; `messages` say why, in the user's language."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _check_value(f: SourceField, name: str, op: str, value: Any, errors: list[str]) -> None:
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        errors.append(_("“%(field)s in” needs a non-empty list of values.") % {"field": name})
        return
    for v in values:
        ok = (
            (f.type == BOOL and isinstance(v, bool))
            or (f.type == INT and isinstance(v, int) and not isinstance(v, bool))
            or (f.type == TEXT and isinstance(v, str))
            or (f.type == CHOICE and isinstance(v, str) and v in f.choices)
        )
        if not ok:
            if f.type == CHOICE:
                errors.append(
                    _("“%(value)s” is not a value of “%(field)s”; it takes one of: %(choices)s.")
                    % {"value": v, "field": name, "choices": ", ".join(c for c in f.choices if c)}
                )
            else:
                errors.append(
                    _("“%(value)s” is not a valid %(type)s for “%(field)s”.")
                    % {"value": v, "type": f.type, "field": name}
                )


def _can_match(source: Source, conditions: list[dict[str, Any]]) -> bool:
    """Whether some record could meet all the conditions together (per field, as sets/intervals)."""
    for name in {c["field"] for c in conditions}:
        f = source.fields[name]
        mine = [c for c in conditions if c["field"] == name]
        if f.type in (CHOICE, BOOL, TEXT):
            universe: set[Any] | None = (
                set(f.choices) if f.type == CHOICE else ({True, False} if f.type == BOOL else None)
            )
            allowed = universe
            excluded: set[Any] = set()
            for c in mine:
                vals = set(c["value"]) if c["op"] == "in" else {c["value"]}
                if c["op"] == "ne":
                    excluded |= vals
                else:
                    allowed = vals if allowed is None else allowed & vals
            if allowed is not None and not (allowed - excluded):
                return False
        else:
            low, high = -(10**12), 10**12
            excluded = set()
            for c in mine:
                v = c["value"]
                if c["op"] == "eq":
                    low, high = max(low, v), min(high, v)
                elif c["op"] == "gte":
                    low = max(low, v)
                elif c["op"] == "gt":
                    low = max(low, v + 1)
                elif c["op"] == "lte":
                    high = min(high, v)
                elif c["op"] == "lt":
                    high = min(high, v - 1)
                else:
                    excluded.add(v)
            if low > high or (low == high and low in excluded):
                return False
    return True


def _check_part(part: Any, role: str, errors: list[str]) -> Source | None:
    if not isinstance(part, dict):
        errors.append(_("The %(part)s must be an object.") % {"part": role})
        return None
    source = SOURCES.get(part.get("source", ""))
    if source is None:
        errors.append(
            _("The %(part)s names an unknown source “%(source)s”; the sources are: %(all)s.")
            % {"part": role, "source": part.get("source", ""), "all": ", ".join(SOURCES)}
        )
        return None
    subject = part.get("subject", "person")
    if subject not in SUBJECTS:
        errors.append(
            _("The %(part)s counts “%(subject)s”; it can count: person, household, record.")
            % {"part": role, "subject": subject}
        )
    elif subject == "person" and source.person is None:
        errors.append(_("Records of %(source)s are not about a person.") % {"source": source.key})
    period = part.get("period", "within")
    if period not in PERIODS:
        errors.append(
            _("Unknown period rule “%(period)s”; use one of: %(all)s.")
            % {"period": period, "all": ", ".join(PERIODS)}
        )
    elif period == "active" and source.end is None:
        errors.append(
            _("Records of %(source)s have no end date, so “active” cannot be asked of them.")
            % {"source": source.key}
        )
    elif source.computed and period not in ("to_date", "any"):
        errors.append(
            _("%(source)s compares assessments up to the end of the period: use “to_date”.")
            % {"source": source.key}
        )
    if source.computed:
        params = part.get("params") or {}
        if not isinstance(params.get("instrument", "csi"), str) or not isinstance(
            params.get("domain", ""), str
        ):
            errors.append(_("The instrument and the domain must be codes such as “csi” and “3”."))
    date = part.get("date")
    if date is not None and date not in source.dates:
        errors.append(
            _("Records of %(source)s have no date “%(date)s”; their dates are: %(all)s.")
            % {"source": source.key, "date": date, "all": ", ".join(source.dates) or "-"}
        )
    conditions = part.get("conditions") or []
    if not isinstance(conditions, list):
        errors.append(_("Conditions must be a list."))
        return source
    bad = False
    for c in conditions:
        if not isinstance(c, dict) or not {"field", "op", "value"} <= set(c):
            errors.append(_("Each condition needs a field, an op and a value."))
            bad = True
            continue
        f = source.fields.get(c["field"])
        if f is None:
            errors.append(
                _("“%(field)s” is not a field of %(source)s; its fields are: %(all)s.")
                % {"field": c["field"], "source": source.key, "all": ", ".join(source.fields)}
            )
            bad = True
            continue
        if c["op"] not in OPS[f.type]:
            errors.append(
                _("“%(op)s” cannot be used with “%(field)s”; use one of: %(all)s.")
                % {"op": c["op"], "field": c["field"], "all": ", ".join(OPS[f.type])}
            )
            bad = True
            continue
        before = len(errors)
        _check_value(f, c["field"], c["op"], c["value"], errors)
        bad = bad or len(errors) > before
    if not bad and not _can_match(source, conditions):
        errors.append(
            _("The conditions of the %(part)s contradict each other: it could never count anyone.")
            % {"part": role}
        )
    return source


def validate_definition(definition: Any, *, unit: str) -> dict[str, Any]:
    """The definition, normalised, or a DefinitionError saying everything that is wrong with it."""
    errors: list[str] = []
    if not isinstance(definition, dict):
        raise DefinitionError([_("The computation must be a JSON object.")])
    numerator = definition.get("numerator")
    denominator = definition.get("denominator")
    if numerator is None:
        errors.append(_("Say what to count: the computation needs a “numerator”."))
    else:
        _check_part(numerator, str(_("numerator")), errors)
    if unit == "percentage":
        if denominator is None:
            errors.append(_("A percentage needs a “denominator”."))
        else:
            _check_part(denominator, str(_("denominator")), errors)
            if (
                isinstance(numerator, dict)
                and isinstance(denominator, dict)
                and numerator.get("subject", "person") != denominator.get("subject", "person")
            ):
                errors.append(
                    _(
                        "The numerator counts %(num)s but the denominator counts %(den)s: "
                        "a percentage must count the same kind of subject in both."
                    )
                    % {
                        "num": numerator.get("subject", "person"),
                        "den": denominator.get("subject", "person"),
                    }
                )
    elif denominator is not None:
        errors.append(_("A count has no denominator; choose the unit “percentage” instead."))
    if definition.get("age_bands", "standard") not in AGE_BAND_SETS:
        errors.append(_("The age bands are “standard” or “youth”."))
    unknown = set(definition) - {"numerator", "denominator", "age_bands"}
    if unknown:
        errors.append(
            _("Unknown keys in the computation: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )
    if errors:
        raise DefinitionError(errors)
    return definition


def dimensions_for(definition: dict[str, Any]) -> list[str]:
    """The disaggregations that make sense for what the indicator counts."""
    subject = (definition.get("numerator") or {}).get("subject", "person")
    source = SOURCES.get((definition.get("numerator") or {}).get("source", ""))
    dims = list(DIMENSIONS)
    if subject == "household" or (source is not None and source.person is None):
        dims = [d for d in dims if d not in PERSON_DIMENSIONS]
    return dims
