"""The indicator engine: an indicator's definition (data, see results.definitions) becomes one SQL
query that counts distinct subjects for the total and for every disaggregation at once (ADR 0016).

Each part of a definition (numerator, denominator) is built with the ORM — the whitelisted lookups,
the period, the joins a disaggregation needs — and returns one row per record: the subject's id and
one column per disaggregation. The parts are stacked (UNION ALL) and counted with
COUNT(DISTINCT subject) per grouping set: GROUPING SETS on PostgreSQL, an equivalent UNION ALL of
GROUP BYs over one common table expression on SQLite. Nothing loops over rows in Python.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oila.accounts.models import Programme
from oila.assessments.models import Assessment, Instrument, Item, Score
from oila.geo.models import District
from oila.registry.models import CareArrangement, Enrolment, Person
from oila.results.definitions import (
    DIMENSIONS,
    SOURCES,
    Source,
    dimensions_for,
)
from oila.results.models import Indicator

STANDARD_BANDS = ((5, "0-4"), (12, "5-11"), (18, "12-17"), (60, "18-59"))
STANDARD_LAST = "60+"
YOUTH_BANDS = ((15, "0-14"), (25, "15-24"))
YOUTH_LAST = "25+"
WORK_MEM = "128MB"  # for the one grouped query of an indicator (PostgreSQL, SET LOCAL)


# ---------------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    year: int
    quarter: int | None = None

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), year)

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (
            dt.date(year, 12, 31)
            if quarter == 4
            else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
        )
        return cls(start, end, year, quarter)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    def quarters(self) -> list[Period]:
        return (
            [Period.of_quarter(self.year, q) for q in range(1, 5)] if not self.quarter else [self]
        )


def quarters_between(first: Period, last: Period) -> list[Period]:
    """Every quarter from the one holding `first.start` to the one holding `last.end`."""
    year, quarter = first.start.year, (first.start.month - 1) // 3 + 1
    out = []
    while (year, quarter) <= (last.end.year, (last.end.month - 1) // 3 + 1):
        out.append(Period.of_quarter(year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# ---------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Cell:
    key: str | None
    label: str
    numerator: int
    denominator: int | None = None

    @property
    def value(self) -> float | None:
        """The count, or the percentage; None ("no data") when the denominator is empty."""
        if self.denominator is None:
            return float(self.numerator)
        if not self.denominator:
            return None
        return round(100.0 * self.numerator / self.denominator, 1)

    @property
    def display(self) -> str:
        value = self.value
        if value is None:
            return str(_("no data"))
        if self.denominator is None:
            return f"{int(value)}"
        return f"{value:.1f} %"


@dataclass
class IndicatorResult:
    indicator: Indicator
    period: Period
    total: Cell
    breakdowns: dict[str, list[Cell]] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        return self.total.value


# ---------------------------------------------------------------------------------------------------
# One part of a definition as rows (subject id + disaggregation columns)


def _person_prefix(source: Source) -> str:
    return "" if source.person == "pk" else f"{source.person}__"


def _age_expression(path: str, end: dt.date, bands: str) -> Case:
    steps, last = (YOUTH_BANDS, YOUTH_LAST) if bands == "youth" else (STANDARD_BANDS, STANDARD_LAST)
    whens = [When(**{f"{path}__isnull": True}, then=Value(None))]
    whens += [
        When(**{f"{path}__gt": _years_before(end, years)}, then=Value(label))
        for years, label in steps
    ]
    return Case(*whens, default=Value(last))


def _assessment_change_sql(params: dict[str, Any], end: dt.date) -> tuple[str, list[Any]]:
    """Per person assessed with the instrument by `end`: how many times, and whether the score of
    the domain's items (all items when no domain is given) rose, stayed or fell from the first
    assessment to the latest. Window functions over the assessments, one pass over their scores."""
    assessment, instrument = Assessment._meta.db_table, Instrument._meta.db_table
    score, item = Score._meta.db_table, Item._meta.db_table
    domain = str(params.get("domain", "")).replace("%", "").replace("_", "")
    sql = f"""
        SELECT r.subject_id AS subject_id, MAX(r.n) AS n_assessments,
               CASE WHEN MAX(r.n) < 2 THEN NULL
                    WHEN SUM(CASE WHEN r.rl = 1 THEN sc.value END)
                         > SUM(CASE WHEN r.rf = 1 THEN sc.value END) THEN 'improved'
                    WHEN SUM(CASE WHEN r.rl = 1 THEN sc.value END)
                         < SUM(CASE WHEN r.rf = 1 THEN sc.value END) THEN 'worsened'
                    WHEN SUM(CASE WHEN r.rl = 1 THEN sc.value END)
                         = SUM(CASE WHEN r.rf = 1 THEN sc.value END) THEN 'unchanged'
               END AS change
        FROM (
            SELECT a.id, a.subject_id,
                   ROW_NUMBER() OVER (PARTITION BY a.subject_id
                                      ORDER BY a.assessed_on, a.created_at, a.id) AS rf,
                   ROW_NUMBER() OVER (PARTITION BY a.subject_id
                                      ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC) AS rl,
                   COUNT(*) OVER (PARTITION BY a.subject_id) AS n
            FROM {assessment} a JOIN {instrument} i ON i.id = a.instrument_id
            WHERE i.code = %s AND a.assessed_on <= %s AND a.subject_id IS NOT NULL
        ) r
        LEFT JOIN (
            SELECT sc.assessment_id, SUM(sc.value) AS value
            FROM {score} sc JOIN {item} it ON it.id = sc.item_id
            WHERE it.code LIKE %s
            GROUP BY sc.assessment_id
        ) sc ON sc.assessment_id = r.id
        WHERE r.rf = 1 OR r.rl = 1
        GROUP BY r.subject_id"""  # noqa: S608  # nosec B608 (whitelisted identifiers)
    return sql, [str(params.get("instrument", "csi")), end, f"{domain}%"]


SQL_OPS = {"eq": "=", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}


def _computed_filter(part: dict[str, Any], period: Period) -> tuple[str, str, list[Any]]:
    """For a computed source: the derived table joined on the subject (a common table
    expression, computed once even when numerator and denominator both use it), and the WHERE
    its conditions make (values as parameters; field names come from the whitelist only). The
    table's own parameters come first in the list, then the conditions'."""
    source = SOURCES[part["source"]]
    table, params = _assessment_change_sql(part.get("params") or {}, period.end)
    where, where_params = ["1 = 1"], []
    for c in part.get("conditions") or []:
        column = "computed." + source.fields[c["field"]].lookup
        if c["op"] == "in":
            where.append(f"{column} IN ({', '.join(['%s'] * len(c['value']))})")
            where_params += list(c["value"])
        elif c["op"] == "ne":
            where.append(f"({column} IS NULL OR {column} <> %s)")
            where_params.append(c["value"])
        else:
            where.append(f"{column} {SQL_OPS[c['op']]} %s")
            where_params.append(c["value"])
    return table, " AND ".join(where), params + where_params


def _condition(lookup: str, op: str, value: Any) -> Q:
    if op == "eq":
        return Q(**{lookup: value})
    if op == "ne":
        return ~Q(**{lookup: value})
    if op == "in":
        return Q(**{f"{lookup}__in": value})
    return Q(**{f"{lookup}__{op}": value})


def part_rows(
    *,
    programme: Programme,
    part: dict[str, Any],
    period: Period,
    dims: list[str],
    age_bands: str = "standard",
) -> tuple[QuerySet[Any], list[str]]:
    """The part's records as a values() queryset: `c_subject` and one `c_<dimension>` each."""
    source = SOURCES[part["source"]]
    qs: QuerySet[Any] = source.model.objects.filter(**{source.programme: programme})
    # assessment_change needs no filter here: its rows are joined to the computed table
    # (_computed_filter), which holds only the people assessed with the instrument by the end.
    if source.key == "care":
        qs = qs.annotate(
            previous_type=Subquery(
                CareArrangement.objects.filter(
                    person=OuterRef("person"), started_on__lt=OuterRef("started_on")
                )
                .order_by("-started_on")
                .values("type")[:1]
            )
        )
    mode = part.get("period", "within")
    if source.dates and mode != "any":
        date = source.dates[part.get("date") or next(iter(source.dates))]
        if mode == "within":
            qs = qs.filter(**{f"{date}__gte": period.start, f"{date}__lte": period.end})
        elif mode == "to_date":
            qs = qs.filter(**{f"{date}__lte": period.end})
        else:  # active: begun by the end of the period and not ended before its start
            qs = qs.filter(
                Q(**{f"{date}__lte": period.end})
                & (Q(**{f"{source.end}__isnull": True}) | Q(**{f"{source.end}__gte": period.start}))
            )
    for c in [] if source.computed else part.get("conditions") or []:
        qs = qs.filter(_condition(source.fields[c["field"]].lookup, c["op"], c["value"]))

    p = _person_prefix(source) if source.person else None
    if p is not None:
        qs = qs.filter(**{f"{p}merged_into__isnull": True})
    subject = part.get("subject", "person")
    columns: dict[str, Any] = {}
    needs_membership = p is not None and (
        "district" in dims or (subject == "household" and source.household is None)
    )
    if needs_membership:
        qs = qs.annotate(
            cur_m=FilteredRelation(
                f"{p}memberships", condition=Q(**{f"{p}memberships__ended_on__isnull": True})
            )
        )
    if subject == "person":
        qs = qs.filter(**{f"{source.person}__isnull": False}) if source.person != "pk" else qs
        columns["subject"] = F(source.person or "pk")
    elif subject == "household":
        columns["subject"] = (
            Coalesce(F(source.household), F("cur_m__household"))
            if source.household and needs_membership
            else F(source.household or "cur_m__household")
        )
    else:
        columns["subject"] = F("pk")

    end = period.end
    for dim in dims:
        if dim == "sex" and p is not None:
            columns[dim] = F(f"{p}sex")
        elif dim == "age" and p is not None:
            columns[dim] = _age_expression(f"{p}birth_date", end, age_bands)
        elif dim == "disability" and p is not None:
            columns[dim] = Case(
                When(**{f"{p}has_disability": True}, then=Value("yes")),
                When(**{f"{p}has_disability": False}, then=Value("no")),
                default=Value(None),
            )
        elif dim == "district":
            via_person = F("cur_m__household__district") if needs_membership else None
            via_record = F(f"{source.household}__district") if source.household else None
            if via_person is not None and via_record is not None:
                columns[dim] = Coalesce(via_record, via_person)
            else:
                columns[dim] = via_record or via_person or Value(None)
        elif dim == "group":
            if source.key == "enrolments":
                columns[dim] = F("group")
            elif p is not None and not (subject == "household" and source.household):
                qs = qs.annotate(
                    enr=FilteredRelation(
                        f"{p}enrolments",
                        condition=Q(**{f"{p}enrolments__programme": programme}),
                    )
                )
                columns[dim] = F("enr__group")
            elif source.household:
                h = source.household
                qs = qs.annotate(
                    enr=FilteredRelation(
                        f"{h}__enrolments",
                        condition=Q(**{f"{h}__enrolments__programme": programme}),
                    )
                )
                columns[dim] = F("enr__group")
            else:
                columns[dim] = Value(None)
        elif dim == "care" and p is not None:
            qs = qs.annotate(
                care_now=FilteredRelation(
                    f"{p}care_arrangements",
                    condition=Q(**{f"{p}care_arrangements__started_on__lte": end})
                    & (
                        Q(**{f"{p}care_arrangements__ended_on__isnull": True})
                        | Q(**{f"{p}care_arrangements__ended_on__gt": end})
                    ),
                )
            )
            columns[dim] = F("care_now__type")
        else:
            columns[dim] = Value(None)
    names = [f"c_{name}" for name in columns]
    qs = qs.annotate(**{f"c_{name}": expr for name, expr in columns.items()})
    if subject == "household":
        qs = qs.filter(c_subject__isnull=False)
    return qs.values(*names).order_by(), names


Part = tuple[str, QuerySet[Any], list[str], tuple[str, str, list[Any]] | None]


def _sql(part: Part, ctes: dict[tuple[str, tuple[Any, ...]], str]) -> tuple[str, list[Any]]:
    """One part's rows; a computed source's table is added to `ctes` (shared when identical)."""
    tag, qs, names, computed = part
    sql, params = qs.query.get_compiler(connection=connection).as_sql()
    cols = ", ".join(f"part_{tag}.{n}" for n in names)
    out = f"SELECT '{tag}' AS part, {cols} FROM ({sql}) AS part_{tag}"  # noqa: S608  # nosec B608 (whitelisted identifiers)
    params = list(params)
    if computed is not None:
        table, where, extra = computed
        n_table = table.count("%s")
        key = (table, tuple(extra[:n_table]))
        name = ctes.setdefault(key, f"computed_{tag}")
        out += (
            f" JOIN {name} AS computed ON computed.subject_id = part_{tag}.c_subject WHERE {where}"
        )
        params += extra[n_table:]
    return out, params


def _grouped_counts(parts: list[Part], dims: list[str]) -> list[tuple[str, int, Any, int]]:
    """(part, dimension index or -1 for the total, value, distinct subjects) for every group."""
    selects, params = [], []
    ctes: dict[tuple[str, tuple[Any, ...]], str] = {}
    for part in parts:
        sql, p = _sql(part, ctes)
        selects.append(sql)
        params += p
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    with_list = [f"{name} AS {materialized}({table})" for (table, _p), name in ctes.items()]
    params = [v for (_t, table_params) in ctes for v in table_params] + params
    stacked = " UNION ALL ".join(selects)
    dim_cols = [f"c_{d}" for d in dims]
    rows: list[tuple[str, int, Any, int]] = []
    # Identifiers in the SQL below come from the whitelist (results.definitions) and the ORM's
    # compiler; every value is a parameter.
    grouped = connection.vendor == "postgresql" and bool(dims)
    # SET LOCAL needs a transaction; the simple counts need none.
    with transaction.atomic() if grouped else nullcontext(), connection.cursor() as cursor:
        if grouped:
            # Distinct subjects per group in two hashed steps: the grouping sets first make the
            # distinct (subject, value) pairs of every disaggregation, then each group counts its
            # pairs. One statement; the memory lets the hash aggregates stay off disk.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            sets = ", ".join(["(part, c_subject)"] + [f"(part, c_subject, {c})" for c in dim_cols])
            cols = ", ".join(dim_cols)
            prefix = f"WITH {', '.join(with_list)} " if with_list else ""
            cursor.execute(
                prefix + f"SELECT part, g, {cols}, COUNT(*) FROM ("  # noqa: S608  # nosec B608 (whitelisted identifiers)
                f"SELECT part, GROUPING({cols}) AS g, {cols}, c_subject FROM ({stacked}) AS stacked "
                f"GROUP BY GROUPING SETS ({sets})) AS pairs GROUP BY part, g, {cols}",
                params,
            )
            k = len(dims)
            for row in cursor.fetchall():
                mask = row[1]
                index = next((i for i in range(k) if not mask & (1 << (k - 1 - i))), -1)
                value = row[2 + index] if index >= 0 else None
                rows.append((row[0], index, value, int(row[-1])))
        else:
            branches = [
                "SELECT part, -1, NULL, COUNT(DISTINCT c_subject) FROM stacked GROUP BY part"
            ]
            branches += [
                f"SELECT part, {i}, {c}, COUNT(DISTINCT c_subject) FROM stacked GROUP BY part, {c}"  # noqa: S608  # nosec B608 (whitelisted identifiers)
                for i, c in enumerate(dim_cols)
            ]
            with_list.append(f"stacked AS ({stacked})")
            cursor.execute(f"WITH {', '.join(with_list)} " + " UNION ALL ".join(branches), params)
            rows = [(r[0], int(r[1]), r[2], int(r[3])) for r in cursor.fetchall()]
    return rows


# ---------------------------------------------------------------------------------------------------
# Labels of disaggregation values


_DISTRICTS: dict[str, District] = {}


def _districts() -> dict[str, District]:
    """The districts by id (reference data, read once per process; their names follow the
    language at the moment a label is made)."""
    if not _DISTRICTS:
        _DISTRICTS.update({str(d.pk): d for d in District.objects.all()})
    return _DISTRICTS


def _labeller(dim: str) -> Any:
    if dim == "sex":
        choices = dict(Person.Sex.choices)
    elif dim == "group":
        choices = dict(Enrolment.Group.choices)
    elif dim == "care":
        choices = dict(CareArrangement.Type.choices)
    elif dim == "disability":
        choices = {"yes": gettext_lazy("with a disability"), "no": gettext_lazy("no disability")}
    elif dim == "district":
        choices = {key: district.name for key, district in _districts().items()}
    else:
        choices = {}

    def label(key: str | None) -> str:
        if key is None:
            return str(_("not recorded"))
        if dim == "district" and key not in choices:  # added since the districts were read
            _DISTRICTS.clear()
            choices.update({k: d.name for k, d in _districts().items()})
        return str(choices.get(key, key))

    return label


def _key(dim: str, value: Any) -> str | None:
    if value is None:
        return None
    if dim == "district":
        return str(uuid.UUID(str(value)))
    return str(value)


AGE_ORDER = [label for _y, label in STANDARD_BANDS] + [STANDARD_LAST]
AGE_ORDER += [label for _y, label in YOUTH_BANDS] + [YOUTH_LAST]


def _sort_key(dim: str, cell: Cell) -> tuple[int, Any]:
    if cell.key is None:
        return (2, "")
    if dim == "age" and cell.key in AGE_ORDER:
        return (0, AGE_ORDER.index(cell.key))
    return (1, cell.label)


def _always(dim: str, bands: str) -> tuple[str, ...]:
    """Values shown even when nobody has them, so that a report's columns do not move."""
    if dim == "sex":
        return ("female", "male")
    if dim == "disability":
        return ("yes", "no")
    if dim == "age":
        steps, last = (
            (YOUTH_BANDS, YOUTH_LAST) if bands == "youth" else (STANDARD_BANDS, STANDARD_LAST)
        )
        return (*(label for _y, label in steps), last)
    return ()


# ---------------------------------------------------------------------------------------------------
# Public functions


def compute(indicator: Indicator, period: Period, dims: list[str] | None = None) -> IndicatorResult:
    """One indicator for one period, with the chosen disaggregations (all that apply by default),
    in one query."""
    definition = indicator.definition
    available = dimensions_for(definition)
    chosen = [d for d in (available if dims is None else dims) if d in available]
    bands = definition.get("age_bands", "standard")
    parts = []
    for tag, role in (("n", "numerator"), ("d", "denominator")):
        part = definition.get(role)
        if part is None or (role == "denominator" and not indicator.is_percentage):
            continue
        qs, names = part_rows(
            programme=indicator.programme, part=part, period=period, dims=chosen, age_bands=bands
        )
        computed = _computed_filter(part, period) if SOURCES[part["source"]].computed else None
        parts.append((tag, qs, names, computed))
    rows = _grouped_counts(parts, chosen)
    percentage = indicator.is_percentage
    counts: dict[tuple[int, str | None], dict[str, int]] = {}
    for part, index, value, number in rows:
        key = _key(chosen[index], value) if index >= 0 else None
        counts.setdefault((index, key), {})[part] = number

    def cell(index: int, key: str | None, label: str) -> Cell:
        got = counts.get((index, key), {})
        return Cell(key, label, got.get("n", 0), got.get("d", 0) if percentage else None)

    total = cell(-1, None, str(_("total")))
    breakdowns: dict[str, list[Cell]] = {}
    for i, dim in enumerate(chosen):
        label = _labeller(dim)
        keys = {k for (index, k) in counts if index == i} | set(_always(dim, bands))
        keys = sorted(keys, key=lambda k: (k is None, k or ""))
        cells = [cell(i, k, label(k)) for k in keys]
        breakdowns[dim] = sorted(cells, key=lambda c: _sort_key(dim, c))
    return IndicatorResult(indicator, period, total, breakdowns)


def compute_all(
    programme: Programme, period: Period, dims: list[str] | None = None
) -> list[IndicatorResult]:
    """Every indicator of the programme for the period, with all disaggregations (one query each)."""
    indicators = Indicator.objects.filter(programme=programme).select_related(
        "programme", "outcome", "output"
    )
    return [compute(indicator, period, dims) for indicator in indicators]


def compute_total(indicator: Indicator, period: Period) -> Cell:
    """The indicator's total for a period (no disaggregation)."""
    return compute(indicator, period, dims=[]).total


def dimension_label(dim: str) -> str:
    return str(DIMENSIONS.get(dim, dim))


def as_number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
