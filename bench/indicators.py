"""Indicator engine benchmark: the full default indicator set with every disaggregation, on the
scale database, against hand-written SQL that gives the same numbers.

    .venv/bin/python bench/indicators.py                      # 1 000 000 people (built once)
    .venv/bin/python bench/indicators.py --people 2000 --year 2026
    make bench-indicators

What it does:

1. `ensure_scale_database(people)` (bench/_scale.py): the scale programme (`oila demo-data --scale`).
2. The seven indicators of the default Khorezm framework (results.services.DEFAULT_INDICATORS), as
   the programme has them, or as unsaved copies when the scale build installed none (nothing is
   written to the database).
3. For each: the engine's `compute` (one query: total and all disaggregations) and an equivalent
   hand-written query (the joins and the GROUPING SETS one would write for that indicator alone),
   each run --repeat times; the median is kept. The numbers of both must be equal (asserted).
4. Prints per indicator and in total: engine ms, hand SQL ms, ratio. Targets: engine <= 2 s for the
   set, ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scale import ROOT, ensure_scale_database

YEARS_BEFORE = {"0-4": 5, "5-11": 12, "12-17": 18, "18-59": 60}
YOUTH = {"0-14": 15, "15-24": 25}

# --- the hand-written SQL ---------------------------------------------------------------------
# Person-level disaggregations, joined the way one would write them by hand.
PERSON_JOINS = """
    LEFT JOIN registry_membership m ON m.person_id = p.id AND m.ended_on IS NULL
    LEFT JOIN registry_household mh ON mh.id = m.household_id
    LEFT JOIN registry_enrolment ge ON ge.person_id = p.id AND ge.programme_id = %(programme)s
    LEFT JOIN registry_carearrangement ca ON ca.person_id = p.id AND ca.started_on <= %(end)s
         AND (ca.ended_on IS NULL OR ca.ended_on > %(end)s)
"""
AGE = """CASE WHEN p.birth_date IS NULL THEN NULL WHEN p.birth_date > %(a5)s THEN '0-4'
    WHEN p.birth_date > %(a12)s THEN '5-11' WHEN p.birth_date > %(a18)s THEN '12-17'
    WHEN p.birth_date > %(a60)s THEN '18-59' ELSE '60+' END"""
YOUTH_AGE = """CASE WHEN p.birth_date IS NULL THEN NULL WHEN p.birth_date > %(a15)s THEN '0-14'
    WHEN p.birth_date > %(a25)s THEN '15-24' ELSE '25+' END"""
DISABILITY = "CASE WHEN p.has_disability THEN 'yes' WHEN NOT p.has_disability THEN 'no' END"
PERSON_DIMS = ["sex", "age", "disability", "district", "group", "care"]


def person_select(subject: str, district: str = "mh.district_id", group: str = 'ge."group"',
                  age: str = AGE) -> str:  # fmt: skip
    return (f"{subject} AS subject, p.sex AS sex, {age} AS age, {DISABILITY} AS disability, "
            f"{district} AS district, {group} AS grp, ca.type AS care")  # fmt: skip


CHANGE = """
    SELECT r.subject_id, MAX(r.n) AS n,
           SUM(CASE WHEN r.rf = 1 THEN s.total END) AS first_total,
           SUM(CASE WHEN r.rl = 1 THEN s.total END) AS latest_total
    FROM (SELECT a.id, a.subject_id,
                 row_number() OVER (PARTITION BY a.subject_id
                                    ORDER BY a.assessed_on, a.created_at, a.id) AS rf,
                 row_number() OVER (PARTITION BY a.subject_id
                                    ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC) AS rl,
                 count(*) OVER (PARTITION BY a.subject_id) AS n
          FROM assessments_assessment a JOIN assessments_instrument i ON i.id = a.instrument_id
          WHERE i.code = 'csi' AND a.assessed_on <= %(end)s AND a.subject_id IS NOT NULL) r
    LEFT JOIN (SELECT sc.assessment_id, SUM(sc.value) AS total
               FROM assessments_score sc JOIN assessments_item it ON it.id = sc.item_id
               WHERE it.code LIKE '3%%' GROUP BY sc.assessment_id) s ON s.assessment_id = r.id
    WHERE r.rf = 1 OR r.rl = 1
    GROUP BY r.subject_id
"""

HAND: dict[str, tuple[list[str], str]] = {
    "IND1.1": (PERSON_DIMS, f"""
        SELECT 'n' AS part,
               {person_select("e.person_id", "COALESCE(eh.district_id, mh.district_id)", 'e."group"')}
        FROM registry_enrolment e JOIN registry_person p ON p.id = e.person_id
        LEFT JOIN registry_household eh ON eh.id = e.household_id
        LEFT JOIN registry_membership m ON m.person_id = p.id AND m.ended_on IS NULL
        LEFT JOIN registry_household mh ON mh.id = m.household_id
        LEFT JOIN registry_carearrangement ca ON ca.person_id = p.id AND ca.started_on <= %(end)s
             AND (ca.ended_on IS NULL OR ca.ended_on > %(end)s)
        WHERE e.programme_id = %(programme)s AND e."group" IN ('sos_child', 'vulnerable_child')
          AND e.enrolled_on <= %(end)s AND (e.ended_on IS NULL OR e.ended_on >= %(start)s)
          AND p.merged_into_id IS NULL"""),
    "IND1.2": (PERSON_DIMS, f"""
        SELECT 'n' AS part, {person_select("p.id")}
        FROM change c JOIN registry_person p ON p.id = c.subject_id {PERSON_JOINS}
        WHERE p.programme_id = %(programme)s AND p.merged_into_id IS NULL AND c.n >= 2
          AND c.latest_total > c.first_total
        UNION ALL
        SELECT 'd', {person_select("p.id")}
        FROM change c JOIN registry_person p ON p.id = c.subject_id {PERSON_JOINS}
        WHERE p.programme_id = %(programme)s AND p.merged_into_id IS NULL AND c.n >= 2"""),
    "IND1.3": (PERSON_DIMS, f"""
        SELECT 'n' AS part, {person_select("x.person_id")}
        FROM registry_carearrangement x JOIN registry_person p ON p.id = x.person_id {PERSON_JOINS}
        WHERE p.programme_id = %(programme)s AND p.merged_into_id IS NULL
          AND x.started_on BETWEEN %(start)s AND %(end)s
          AND x.type IN ('parental', 'informal_kinship', 'formal_kinship')
          AND (SELECT y.type FROM registry_carearrangement y WHERE y.person_id = x.person_id
               AND y.started_on < x.started_on ORDER BY y.started_on DESC LIMIT 1) = 'residential'"""),
    "IND1.4": (["district", "group"], """
        SELECT 'n' AS part, c.household_id AS subject, h.district_id AS district, he."group" AS grp
        FROM cases_case c JOIN registry_household h ON h.id = c.household_id
        LEFT JOIN registry_person p ON p.id = c.subject_id
        LEFT JOIN registry_enrolment he ON he.household_id = h.id AND he.programme_id = %(programme)s
        WHERE c.programme_id = %(programme)s AND c.kind = 'family' AND c.status = 'closed'
          AND c.closure_reason = 'goals_met' AND c.closed_on BETWEEN %(start)s AND %(end)s
          AND p.merged_into_id IS NULL"""),
    "IND3.2": (PERSON_DIMS, f"""
        SELECT 'n' AS part, {person_select("r.id", "COALESCE(rh.district_id, mh.district_id)")}
        FROM support_referral r JOIN accounts_organisation o ON o.id = r.to_organisation_id
        LEFT JOIN registry_household rh ON rh.id = r.household_id
        LEFT JOIN registry_person p ON p.id = r.person_id {PERSON_JOINS}
        WHERE r.programme_id = %(programme)s AND r.status = 'completed' AND o.type <> 'programme_ngo'
          AND (r.reported_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s
          AND p.merged_into_id IS NULL"""),
    "IND2.1": (PERSON_DIMS, f"""
        SELECT 'n' AS part, {person_select("pl.person_id", age=YOUTH_AGE)}
        FROM youth_followup f JOIN youth_placement pl ON pl.id = f.placement_id
        JOIN registry_person p ON p.id = pl.person_id {PERSON_JOINS}
        WHERE pl.programme_id = %(programme)s AND f.month = 6 AND f.still_working
          AND f.done_on BETWEEN %(start)s AND %(end)s AND p.merged_into_id IS NULL"""),
    "IND3.1": (PERSON_DIMS, f"""
        SELECT 'n' AS part, {person_select("tp.person_id")}
        FROM training_trainingparticipation tp JOIN training_trainingevent ev ON ev.id = tp.event_id
        JOIN registry_person p ON p.id = tp.person_id {PERSON_JOINS}
        WHERE ev.programme_id = %(programme)s AND tp.attended AND tp.post_score >= 70
          AND ev.ends_on BETWEEN %(start)s AND %(end)s AND p.merged_into_id IS NULL"""),
}  # fmt: skip
COLUMN = {"group": "grp"}


def hand_query(code: str) -> tuple[list[str], str]:
    dims, rows = HAND[code]
    cols = [COLUMN.get(d, d) for d in dims]
    sets = ", ".join(["(part)"] + [f"(part, {c})" for c in cols])
    with_change = f"WITH change AS MATERIALIZED ({CHANGE}) " if code == "IND1.2" else ""
    sql = (f"{with_change}SELECT part, GROUPING({', '.join(cols)}), {', '.join(cols)}, "
           f"COUNT(DISTINCT subject) FROM ({rows}) t GROUP BY GROUPING SETS ({sets})")  # fmt: skip
    return dims, sql


def run_hand(
    cursor: Any, code: str, params: dict[str, Any]
) -> dict[tuple[str, str, str | None], int]:
    dims, sql = hand_query(code)
    cursor.execute(sql, params)
    out = {}
    k = len(dims)
    for row in cursor.fetchall():
        mask = row[1]
        index = next((i for i in range(k) if not mask & (1 << (k - 1 - i))), -1)
        value = row[2 + index] if index >= 0 else None
        out[
            (row[0], dims[index] if index >= 0 else "total", None if value is None else str(value))
        ] = row[-1]
    return out


def engine_numbers(result: Any) -> dict[tuple[str, str, str | None], int]:
    out = {("n", "total", None): result.total.numerator}
    if result.total.denominator is not None:
        out[("d", "total", None)] = result.total.denominator
    for dim, cells in result.breakdowns.items():
        for cell in cells:
            out[("n", dim, cell.key)] = cell.numerator
            if cell.denominator is not None:
                out[("d", dim, cell.key)] = cell.denominator
    return {k: v for k, v in out.items() if v or k[1] == "total"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=None, help="the period (this year by default)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = ensure_scale_database(args.people)
    os.environ.update(DATABASE_URL=url, OILA_DEMO="1", OILA_VAR_DIR=str(ROOT / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oila.settings")
    import django

    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.db import connection, transaction

    from oila.accounts.models import Programme
    from oila.results import engine
    from oila.results.models import Indicator, Outcome
    from oila.results.services import DEFAULT_INDICATORS

    programme = Programme.objects.exclude(slug="khorezm").first() or Programme.objects.first()
    year = args.year or dt.date.today().year
    period = engine.Period.of_year(year)
    saved = {i.code: i for i in Indicator.objects.filter(programme=programme)}
    indicators = [
        saved.get(code) or Indicator(programme=programme, outcome=Outcome(programme=programme, code=oc),
                                     code=code, name=name, unit=unit, definition=definition)
        for oc, _out, code, name, _text, unit, definition, *_rest in DEFAULT_INDICATORS
    ]  # fmt: skip
    end = period.end
    params = {"programme": programme.pk, "start": period.start, "end": end, "tz": settings.TIME_ZONE,
              **{f"a{n}": engine._years_before(end, n) for n in (5, 12, 15, 18, 25, 60)}}  # fmt: skip
    print(f"Indicators of {programme.name} ({args.people:,} people), {period.label}, "
          f"all disaggregations, median of {args.repeat} runs")  # fmt: skip
    print(f"{'indicator':<8} {'engine ms':>10} {'hand ms':>10} {'ratio':>6}  total")
    engine_total = hand_total = 0.0
    for indicator in indicators:
        engine_times, hand_times = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = engine.compute(indicator, period)
            engine_times.append(time.perf_counter() - started)
            with transaction.atomic(), connection.cursor() as cursor:
                started = time.perf_counter()
                hand = run_hand(cursor, indicator.code, params)
                hand_times.append(time.perf_counter() - started)
        mine = engine_numbers(result)
        theirs = {k: v for k, v in hand.items() if v or k[1] == "total"}
        for key in [k for k in mine if k[1] == "total"]:
            theirs.setdefault(key, 0)  # no row at all: nobody counted
        theirs = {(p, d, str(__import__("uuid").UUID(v)) if d == "district" and v else v): n
                  for (p, d, v), n in theirs.items()}  # fmt: skip
        assert mine == theirs, (
            indicator.code,
            sorted(set(mine.items()) ^ set(theirs.items()))[:10],
        )
        e, h = statistics.median(engine_times), statistics.median(hand_times)
        engine_total += e
        hand_total += h
        print(
            f"{indicator.code:<8} {e * 1000:>10.0f} {h * 1000:>10.0f} {e / h:>6.2f}  {result.total.display}"
        )
    print(f"{'all':<8} {engine_total * 1000:>10.0f} {hand_total * 1000:>10.0f} "
          f"{engine_total / hand_total:>6.2f}")  # fmt: skip
    print(
        f"targets: engine <= 2000 ms ({'met' if engine_total <= 2 else 'NOT met'}), "
        f"ratio <= 1.5 ({'met' if engine_total / hand_total <= 1.5 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
