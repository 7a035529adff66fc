"""Generating young people's training, placements and follow-ups, and specialists' training."""

from __future__ import annotations

import datetime as dt
from random import Random

from oila.cases import deadlines
from oila.demo.scale.base import (
    COURSES,
    NULL,
    PROPORTIONS,
    START,
    TRAINING_TOPICS,
    Ids,
    _b,
    _d,
    _ts,
)
from oila.demo.scale.config import Config
from oila.demo.scale.tables import Loader


class ProgrammeWriter:
    """Youth and specialists, for households.Generator."""

    # Set by households.Generator (the one class these methods are mixed into).
    c: Config
    rng: Random
    today: dt.date
    rules: deadlines.DeadlineRules
    id: Ids
    programme_id: str
    days: int
    numbers: dict[int, int]
    pinfl_serial: int
    narratives: list[str]
    next_steps: list[str]
    reasons: list[str]

    def _youth(self, load: Loader, pid: str, enrolled: dt.date, cw_id: str, soato: str) -> None:
        rng, today = self.rng, self.today
        if rng.random() >= PROPORTIONS["youth_training"]:
            return
        partners = self.c.partners[soato]
        starts = self._day(enrolled, 200)
        ends = starts + dt.timedelta(days=rng.choice((60, 90, 120)))
        completed = ends < today and rng.random() < 0.8
        tid = self.id()
        ts = _ts(starts)
        load.add(
            "youth_youthtraining",
            (
                tid, ts, ts, self.programme_id, pid, "vocational", str(partners[5].pk),
                rng.choice(COURSES), starts.isoformat(), ends.isoformat(), _b(completed),
                _d(ends if completed else None), f"C-{self.pinfl_serial:07d}" if completed else "",
                _d(ends if completed else None), cw_id,
            ),
        )  # fmt: skip
        if not completed or rng.random() >= PROPORTIONS["placement"] / 0.8:
            return
        start = ends + dt.timedelta(days=rng.randint(5, 60))
        if start > today:
            return
        plid = self.id()
        pts = _ts(start)
        employed = rng.random() < 0.7
        wage = rng.randrange(1_500_000, 5_000_000, 100_000)
        load.add(
            "youth_placement",
            (
                plid, pts, pts, self.programme_id, pid,
                "employment" if employed else "self_employment",
                str(partners[4].pk) if employed else NULL, tid, rng.choice(COURSES) + " worker",
                start.isoformat(), "fixed_term" if employed else "informal", str(wage), NULL, cw_id,
            ),
        )  # fmt: skip
        for month in (3, 6, 12):
            due = deadlines.add_months(start, month)
            done = due < today and rng.random() < 0.85
            working = rng.random() < 0.75
            load.add(
                "youth_followup",
                (
                    self.id(), pts, pts, plid, str(month), due.isoformat(), _d(due if done else None),
                    _b(working) if done else NULL, str(wage) if done and working else NULL, "",
                    cw_id if done else NULL,
                ),
            )  # fmt: skip

    # -- specialists and their training -----------------------------------------------------------

    def specialists(self, load: Loader, count: int) -> None:
        rng, today = self.rng, self.today
        manager = str(self.c.manager.pk)
        manager_owner = ("", "", "")
        events = []
        for _ in range(max(1, count // 20)):
            starts = self._day(START, self.days - 10)
            eid = self.id()
            ts = _ts(starts)
            events.append((eid, starts))
            load.add(
                "training_trainingevent",
                (
                    eid, ts, ts, self.programme_id, rng.choice(TRAINING_TOPICS), starts.isoformat(),
                    (starts + dt.timedelta(days=2)).isoformat(), NULL, "Trainer of the NGO",
                    "Urganch", manager,
                ),
            )  # fmt: skip
        del manager_owner
        for i in range(count):
            soato = self.c.districts[i % len(self.c.districts)].soato
            sex = "female" if rng.random() < 0.7 else "male"
            created = self._day(START, self.days)
            pid, _skey = self.person(
                load, (NULL, NULL, ""), sex=sex, birth=self._birth(24, 60),
                family=rng.choice(self.surnames), father=self._given("male"),
                cyrillic=False, created=created, adult=True,
            )  # fmt: skip
            ts = _ts(created)
            self._enrol(load, pid, "specialist", created, "active", None)
            load.add(
                "training_specialist",
                (
                    self.id(), ts, ts, pid, str(self.c.partners[soato][rng.randrange(4)].pk),
                    rng.choice(("teacher", "doctor", "social worker", "inspector")),
                ),
            )  # fmt: skip
            for eid, starts in rng.sample(events, min(len(events), rng.randint(1, 3))):
                attended = starts < today and rng.random() < 0.9
                pre = rng.randint(30, 70) if attended else None
                post = min(100, pre + rng.randint(0, 35)) if pre is not None else None
                load.add(
                    "training_trainingparticipation",
                    (
                        self.id(), ts, ts, eid, pid, _b(attended),
                        str(pre) if pre is not None else NULL,
                        str(post) if post is not None else NULL, "",
                        NULL,
                    ),
                )  # fmt: skip
