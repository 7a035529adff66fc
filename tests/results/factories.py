"""A small planted dataset for the results tests, made through the services. Its figures for 2025
are worked out by hand in the docstring of `plant` and asserted in test_engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oila.registry import services as registry
from oila.registry.models import Enrolment, Person
from oila.results import services
from tests.assessments import factories as assessments
from tests.cases.factories import child_case

YEAR = 2025


def person(actor: Any, household: Any, given: str, sex: str, born: dt.date, **data: Any) -> Person:
    return registry.person_create(
        actor=actor,
        data={"given_name": given, "family_name": "Karimova" if sex == "female" else "Karimov",
              "sex": sex, "birth_date": born, **data},
        household=household,
        relationship="child",
        started_on=dt.date(2020, 1, 1),
    )  # fmt: skip


def enrol(
    actor: Any, who: Person, group: str, on: dt.date, ended: tuple[str, dt.date] | None = None
) -> Enrolment:
    enrolment = registry.enrolment_create(
        actor=actor, programme=who.programme, group=group, enrolled_on=on, person=who
    )
    if ended:
        registry.enrolment_set_status(
            actor=actor, enrolment=enrolment, status=ended[0], ended_on=ended[1]
        )
    return enrolment


def plant(t: Any) -> dict[str, Any]:
    """Children of alice's household (Urganch) and of carol's (Xiva), as at 31 December 2025:

    c1  girl, born 2012-03-01 (13: 12–17), a lot of difficulty seeing (disability), Urganch,
        vulnerable child since 2024-02-01; residential care 2020 → 2025-06-29, parental care from
        2025-06-30 (reunified in 2025); CSI protection 2+2 (2025-01-10) → 3+3 (2025-07-10): improved.
    c2  boy, born 2021-07-01 (4: 0–4), Urganch, vulnerable child 2025-05-01 → exited 2025-08-01;
        one CSI only (not comparable).
    c3  girl, born 2008-01-10, Xiva, SOS child 2023-01-01 → graduated 2024-12-31 (not in 2025).
    c5  girl, born 2015-01-01 (10: 5–11), Xiva, SOS child since 2025-03-01, family-like care from
        2025-03-01; CSI protection 3+3 (2025-02-01) → 3+2 (2025-09-01): worsened.
    c6  boy, born 2019-09-09, Xiva, vulnerable child from 2026-01-05 (not in 2025).
    """
    services.framework_install_default(actor=t.erin, programme=t.programme)
    xiva_home = registry.household_register(
        actor=t.carol,
        data={"name": "Xudoyberganovlar", "district": t.xiva},
        members=[{"given_name": "Xurshid", "family_name": "Xudoyberganov", "sex": "male",
                  "relationship": "head"}],
    )  # fmt: skip
    c1 = person(t.alice, t.household, "Malika", "female", dt.date(2012, 3, 1), wg_seeing=3)
    c2 = person(t.alice, t.household, "Bobur", "male", dt.date(2021, 7, 1))
    c3 = person(t.carol, xiva_home, "Nilufar", "female", dt.date(2008, 1, 10))
    c5 = person(t.carol, xiva_home, "Zarina", "female", dt.date(2015, 1, 1))
    c6 = person(t.carol, xiva_home, "Sardor", "male", dt.date(2019, 9, 9))
    enrol(t.alice, c1, "vulnerable_child", dt.date(2024, 2, 1))
    enrol(t.alice, c2, "vulnerable_child", dt.date(2025, 5, 1), ("exited", dt.date(2025, 8, 1)))
    enrol(t.carol, c3, "sos_child", dt.date(2023, 1, 1), ("graduated", dt.date(2024, 12, 31)))
    enrol(t.carol, c5, "sos_child", dt.date(2025, 3, 1))
    enrol(t.carol, c6, "vulnerable_child", dt.date(2026, 1, 5))
    registry.care_arrangement_record(
        actor=t.alice, person=c1, data={"type": "residential", "started_on": dt.date(2020, 1, 1)}
    )
    registry.care_arrangement_record(
        actor=t.alice, person=c1, data={"type": "parental", "started_on": dt.date(2025, 6, 30)}
    )
    registry.care_arrangement_record(
        actor=t.carol, person=c5, data={"type": "family_like", "started_on": dt.date(2025, 3, 1)}
    )
    case1 = child_case(t.alice, t.household, c1)
    case2 = child_case(t.alice, t.household, c2)
    case5 = child_case(t.carol, xiva_home, c5)
    csi = assessments.csi_scores
    assessments.record(
        t.alice,
        case1,
        subject=c1,
        assessed_on=dt.date(2025, 1, 10),
        scores=csi(**{"3A": 2, "3B": 2}),
    )
    assessments.record(
        t.alice,
        case1,
        subject=c1,
        assessed_on=dt.date(2025, 7, 10),
        scores=csi(**{"3A": 3, "3B": 3}),
    )
    assessments.record(t.alice, case2, subject=c2, assessed_on=dt.date(2025, 6, 1), scores=csi())
    assessments.record(
        t.carol,
        case5,
        subject=c5,
        assessed_on=dt.date(2025, 2, 1),
        scores=csi(**{"3A": 3, "3B": 3}),
    )
    assessments.record(t.carol, case5, subject=c5, assessed_on=dt.date(2025, 9, 1),
                       scores=csi(**{"3A": 3, "3B": 2}))  # fmt: skip
    return {"c1": c1, "c2": c2, "c3": c3, "c5": c5, "c6": c6, "xiva_home": xiva_home}
