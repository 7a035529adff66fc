"""Writes to the results framework. Each service checks the actor, validates, saves and audits in
one transaction. Who may write: the programme's M&E officers and programme managers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from oila.accounts.models import Programme, User
from oila.audit import services as audit
from oila.common.dates import today
from oila.common.services import model_update, snapshot
from oila.results.models import Indicator, Outcome, Output, Target
from oila.results.selectors import results_programmes

OUTCOME_FIELDS = ["code", "title", "order"]
OUTPUT_FIELDS = ["code", "title", "order"]
INDICATOR_FIELDS = [
    "outcome",
    "output",
    "code",
    "name",
    "definition_text",
    "unit",
    "baseline_value",
    "baseline_year",
    "definition",
    "order",
]
TARGET_FIELDS = ["year", "quarter", "value", "note"]


def _require_editor(actor: User, programme: Programme) -> None:
    if not results_programmes(user=actor).filter(pk=programme.pk).exists():
        raise PermissionDenied(_("You do not manage this programme's results framework."))


def _save_new(instance: Any) -> None:
    instance.full_clean()
    instance.save(force_insert=True)


def _update(actor: User, instance: Any, data: dict[str, Any], fields: Any, action: str) -> Any:
    """Apply `data` to `fields` of `instance` and audit what changed (nothing changed: no event)."""
    instance, before, after = model_update(instance=instance, data=data, fields=fields)
    if after:
        audit.record(actor=actor, action=action, target=instance, before=before, after=after)
    return instance


def _check_indicator(indicator: Indicator) -> None:
    """The whole indicator's checks (Indicator.clean: the computation against the whitelist) before
    anything else, so that a bad computation is reported even when another field is also wrong."""
    indicator.full_clean()


# ---------------------------------------------------------------------------------------------------
# Outcomes and outputs


@transaction.atomic
def outcome_create(*, actor: User, programme: Programme, data: dict[str, Any]) -> Outcome:
    """Add an outcome to a programme's results framework."""
    _require_editor(actor, programme)
    outcome = Outcome(programme=programme, **{k: data[k] for k in OUTCOME_FIELDS if k in data})
    _save_new(outcome)
    audit.record(
        actor=actor,
        action="results.outcome.create",
        target=outcome,
        after=snapshot(outcome, ["programme", *OUTCOME_FIELDS]),
    )
    return outcome


@transaction.atomic
def outcome_update(*, actor: User, outcome: Outcome, data: dict[str, Any]) -> Outcome:
    """Change an outcome's code, title or order."""
    _require_editor(actor, outcome.programme)
    return _update(actor, outcome, data, OUTCOME_FIELDS, "results.outcome.update")


@transaction.atomic
def output_create(*, actor: User, outcome: Outcome, data: dict[str, Any]) -> Output:
    """Add an output under an outcome."""
    _require_editor(actor, outcome.programme)
    output = Output(outcome=outcome, **{k: data[k] for k in OUTPUT_FIELDS if k in data})
    _save_new(output)
    audit.record(
        actor=actor,
        action="results.output.create",
        target=output,
        after=snapshot(output, ["outcome", *OUTPUT_FIELDS]),
    )
    return output


@transaction.atomic
def output_update(*, actor: User, output: Output, data: dict[str, Any]) -> Output:
    """Change an output's code, title or order."""
    _require_editor(actor, output.outcome.programme)
    return _update(actor, output, data, OUTPUT_FIELDS, "results.output.update")


# ---------------------------------------------------------------------------------------------------
# Indicators and targets


@transaction.atomic
def indicator_create(*, actor: User, programme: Programme, data: dict[str, Any]) -> Indicator:
    """Add an indicator; its computation is checked against the engine's whitelist first."""
    _require_editor(actor, programme)
    indicator = Indicator(
        programme=programme, **{k: data[k] for k in INDICATOR_FIELDS if k in data}
    )
    _check_indicator(indicator)
    _save_new(indicator)
    audit.record(
        actor=actor,
        action="results.indicator.create",
        target=indicator,
        after=snapshot(indicator, ["programme", *INDICATOR_FIELDS]),
    )
    return indicator


@transaction.atomic
def indicator_update(*, actor: User, indicator: Indicator, data: dict[str, Any]) -> Indicator:
    """Change an indicator; a computation the engine cannot run is refused with the reasons."""
    _require_editor(actor, indicator.programme)
    for name in INDICATOR_FIELDS:
        if name in data:
            setattr(indicator, name, data[name])
    _check_indicator(indicator)
    indicator.refresh_from_db(fields=INDICATOR_FIELDS)
    indicator, before, after = model_update(instance=indicator, data=data, fields=INDICATOR_FIELDS)
    if after:
        audit.record(
            actor=actor,
            action="results.indicator.update",
            target=indicator,
            before=before,
            after=after,
        )
    return indicator


@transaction.atomic
def target_set(
    *,
    actor: User,
    indicator: Indicator,
    year: int,
    quarter: int | None,
    value: Decimal,
    note: str = "",
) -> Target:
    """Set the indicator's target for a year (quarter None) or a quarter, replacing any earlier one."""
    _require_editor(actor, indicator.programme)
    target = Target.objects.filter(indicator=indicator, year=year, quarter=quarter).first()
    if target is None:
        target = Target(indicator=indicator, year=year, quarter=quarter, value=value, note=note)
        _save_new(target)
        audit.record(
            actor=actor,
            action="results.target.create",
            target=target,
            after=snapshot(target, ["indicator", *TARGET_FIELDS]),
        )
        return target
    target, before, after = model_update(
        instance=target, data={"value": value, "note": note}, fields=["value", "note"]
    )
    if after:
        audit.record(
            actor=actor, action="results.target.update", target=target, before=before, after=after
        )
    return target


@transaction.atomic
def target_update(*, actor: User, target: Target, data: dict[str, Any]) -> Target:
    """Change a target's year, quarter, value or note."""
    _require_editor(actor, target.indicator.programme)
    return _update(actor, target, data, TARGET_FIELDS, "results.target.update")


@transaction.atomic
def target_delete(*, actor: User, target: Target) -> None:
    """Remove a target."""
    _require_editor(actor, target.indicator.programme)
    audit.record(
        actor=actor,
        action="results.target.delete",
        target=target,
        before=snapshot(target, ["indicator", *TARGET_FIELDS]),
    )
    target.delete()


# ---------------------------------------------------------------------------------------------------
# The default framework of the Khorezm programme (DOMAIN.md §1)


def _part(source: str, conditions: list[Any], **extra: Any) -> dict[str, Any]:
    return {"source": source, "subject": "person", "period": "within", **extra,
            "conditions": conditions}  # fmt: skip


def _cond(name: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": name, "op": op, "value": value}


CSI_PROTECTION = {"instrument": "csi", "domain": "3"}  # CSI domain 3: protection (items 3A, 3B)
FAMILY_CARE = ["parental", "informal_kinship", "formal_kinship"]

# (outcome, output or None, code, name, text, unit, definition, baseline, yearly target)
DEFAULT_OUTCOMES = [
    ("OC1", "Children and families receive services appropriate to their needs, are safe and "
            "protected."),
    ("OC2", "Young people have the skills to lead independent lives."),
    ("OC3", "Key local partners provide more holistic services to children and families, in "
            "partnership, in line with international standards."),
]  # fmt: skip
DEFAULT_OUTPUTS = [
    ("OC1", "OP1.1", "Children and families are enrolled, assessed and supported through case "
                     "management and referrals."),
    ("OC2", "OP2.1", "Young people are trained and placed in work."),
    ("OC3", "OP3.1", "Child-protection specialists of partner agencies are trained."),
]  # fmt: skip
DEFAULT_INDICATORS: list[tuple[str, str | None, str, str, str, str, dict[str, Any], int, int]] = [
    (
        "OC1", "OP1.1", "IND1.1", "Children enrolled, per beneficiary group",
        "Distinct children with an enrolment in the SOS-family or vulnerable-family group that was "
        "active at some time during the period; broken down by beneficiary group.",
        "count",
        {"numerator": _part("enrolments", [_cond("group", "in", ["sos_child", "vulnerable_child"])],
                            period="active")},
        300, 396,
    ),
    (
        "OC1", None, "IND1.2",
        "Assessed children whose CSI protection score improved",
        "Of the children assessed with the CSI at least twice by the end of the period, the share "
        "whose protection score (domain 3: items 3A and 3B) is higher at the latest assessment "
        "than at the first.",
        "percentage",
        {
            "numerator": _part("assessment_change",
                               [_cond("assessments", "gte", 2), _cond("change", "eq", "improved")],
                               period="to_date", params=CSI_PROTECTION),
            "denominator": _part("assessment_change", [_cond("assessments", "gte", 2)],
                                 period="to_date", params=CSI_PROTECTION),
        },
        40, 60,
    ),
    (
        "OC1", None, "IND1.3", "Children reunified from residential care",
        "Distinct children whose care arrangement changed from residential care to parental or "
        "kinship care during the period.",
        "count",
        {"numerator": _part("care", [_cond("previous_type", "eq", "residential"),
                                     _cond("type", "in", FAMILY_CARE)])},
        0, 10,
    ),
    (
        "OC1", None, "IND1.4", "Households graduated",
        "Distinct households whose family case was closed during the period because the plan's "
        "goals were met (closure reason 'goals met': the family graduates).",
        "count",
        {"numerator": _part("cases", [_cond("kind", "eq", "family"), _cond("status", "eq", "closed"),
                                      _cond("closure_reason", "eq", "goals_met")],
                            subject="household", date="closed_on")},
        0, 30,
    ),
    (
        "OC3", "OP3.1", "IND3.2", "Referrals completed by partners",
        "Referrals to partner agencies (not the programme's own NGO) that the agency reported as "
        "completed during the period.",
        "count",
        {"numerator": _part("referrals", [_cond("status", "eq", "completed"),
                                          _cond("to_type", "ne", "programme_ngo")],
                            subject="record", date="reported_on")},
        0, 100,
    ),
    (
        "OC2", None, "IND2.1", "Young people in work 6 months after placement",
        "Distinct young people whose 6-month follow-up, done during the period, found them still "
        "working; age bands 15–24.",
        "count",
        {"numerator": _part("follow_ups", [_cond("month", "eq", 6),
                                           _cond("still_working", "eq", True)]),
         "age_bands": "youth"},
        0, 15,
    ),
    (
        "OC3", "OP3.1", "IND3.1", "Specialists trained with a post-test score of at least 70 %",
        "Distinct specialists who attended a training event ending during the period and scored "
        "at least 70 % in its post-test.",
        "count",
        {"numerator": _part("training", [_cond("attended", "eq", True),
                                         _cond("post_score", "gte", 70)])},
        0, 50,
    ),
]  # fmt: skip
DEMO_NOTE = "demo value: replace with the agreed target"


def _quarterly(definition: dict[str, Any], yearly: int) -> Decimal:
    """A stock (active or to-date) keeps the year's target each quarter; a flow gets a quarter."""
    period = definition["numerator"].get("period", "within")
    return Decimal(yearly) if period in ("active", "to_date") else Decimal(round(yearly / 4))


@transaction.atomic
def framework_install_default(*, actor: User, programme: Programme) -> list[Indicator]:
    """Install the Khorezm results framework (three outcomes, their outputs and seven indicators,
    with baselines and demo targets) in the programme. Idempotent: what exists is left as it is."""
    outcomes: dict[str, Outcome] = {}
    for order, (code, title) in enumerate(DEFAULT_OUTCOMES, start=1):
        outcome = Outcome.objects.filter(programme=programme, code=code).first()
        outcomes[code] = outcome or outcome_create(
            actor=actor, programme=programme, data={"code": code, "title": title, "order": order}
        )
    outputs: dict[str, Output] = {}
    for order, (parent, code, title) in enumerate(DEFAULT_OUTPUTS, start=1):
        output = Output.objects.filter(outcome=outcomes[parent], code=code).first()
        outputs[code] = output or output_create(
            actor=actor,
            outcome=outcomes[parent],
            data={"code": code, "title": title, "order": order},
        )
    start = programme.starts_on.year
    this_year = today().year
    years = range(max(start, this_year - 2), this_year + 1)
    installed = []
    for order, row in enumerate(DEFAULT_INDICATORS, start=1):
        parent, out, code, name, text, unit, definition, baseline, yearly = row
        indicator = Indicator.objects.filter(programme=programme, code=code).first()
        if indicator is None:
            indicator = indicator_create(
                actor=actor,
                programme=programme,
                data={
                    "outcome": outcomes[parent],
                    "output": outputs[out] if out else None,
                    "code": code,
                    "name": name,
                    "definition_text": text,
                    "unit": unit,
                    "definition": definition,
                    "baseline_value": Decimal(baseline),
                    "baseline_year": start,
                    "order": order,
                },
            )
        have = set(indicator.targets.values_list("year", "quarter"))
        for year in years:
            if (year, None) not in have:
                target_set(actor=actor, indicator=indicator, year=year, quarter=None,
                           value=Decimal(yearly), note=DEMO_NOTE)  # fmt: skip
        for quarter in range(1, 5):
            if (this_year, quarter) not in have:
                target_set(actor=actor, indicator=indicator, year=this_year, quarter=quarter,
                           value=_quarterly(definition, yearly), note=DEMO_NOTE)  # fmt: skip
        installed.append(indicator)
    return installed
