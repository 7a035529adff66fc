"""Generating a case and what hangs on it: assessments and scores, a plan, visits, services, a referral."""

from __future__ import annotations

import datetime as dt
import json
from random import Random

from oila.cases import deadlines
from oila.demo.scale.base import (
    ACTIONS,
    CASE_PREFIX,
    GOALS,
    NULL,
    PARTNER_KINDS,
    PROPORTIONS,
    Ids,
    _b,
    _d,
    _ts,
    _weighted,
)
from oila.demo.scale.config import Config
from oila.demo.scale.tables import Loader


class CaseWriter:
    """A household's case, for households.Generator."""

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

    def _case_number(self, year: int) -> str:
        last = self.numbers.get(year, 0) + 1
        self.numbers[year] = last
        return f"{CASE_PREFIX}-{year}-{last:05d}"

    def _case(
        self,
        load: Loader,
        hid: str,
        owner: tuple[str, str, str],
        status: str,
        enrolled: dt.date,
        children: list[tuple[str, str, dt.date]],
        youth: str | None,
        soato: str,
        members: list[tuple[str, str, str, dt.date]],
    ) -> dt.date | None:
        rng, today, rules = self.rng, self.today, self.rules
        cw_id = owner[0]
        kids = [k[0] for k in children] or ([youth] if youth else [members[0][0]])
        child_case = rng.random() < PROPORTIONS["child_case"] and bool(children)
        subject = rng.choice(kids) if child_case else None
        risk = _weighted(rng, PROPORTIONS["risk"])
        opened = self._day(enrolled, 120)
        identified = dt.datetime.combine(opened, dt.time(9), tzinfo=dt.UTC) - dt.timedelta(
            hours=rng.randint(2, 40)
        )
        open_case = status in ("open", "closure_requested")
        # how far the case went
        if open_case:
            age = (today - opened).days
            step = 1 if age < 3 else (2 if age < 15 else (3 if age < 30 else rng.choice((4, 4, 5))))
        else:
            step = 6
        closed_on = None
        if not open_case:
            closed_on = self._day(opened + dt.timedelta(days=90), 900)
        end = closed_on or today
        cid = self.id()
        number = self._case_number(opened.year)
        ts = _ts(opened)
        events: list[tuple[dt.date, str, str, str]] = [
            (opened, "case.open", "Case %(number)s opened; risk level: %(risk_level)s.",
             json.dumps({"number": number, "risk_level": risk})),
        ]  # fmt: skip

        # assessments (CSI of the subject or of a child of the family), 1-3
        assessed: list[dt.date] = []
        assessment_rows: list[tuple[str, dt.date, list[int]]] = []
        if step >= 2:
            first = min(opened + dt.timedelta(days=rng.randint(0, 3)), end)
            assessed.append(first)
            nxt = deadlines.add_months(first, 6)
            while nxt < end and len(assessed) < 3:
                assessed.append(nxt)
                nxt = deadlines.add_months(nxt, 6)
        who = subject or rng.choice(kids)
        for on in assessed:
            aid = self.id()
            scores = [rng.choice((1, 2, 2, 3, 3, 3, 4, 4)) for _ in self.c.csi_items]
            assessment_rows.append((aid, on, scores))
            ats = _ts(on, 36_000)
            load.add(
                "assessments_assessment",
                (aid, ats, ats, cid, str(self.c.csi.pk), who, on.isoformat(), cw_id, "", ""),
            )
            for item, value in zip(self.c.csi_items, scores, strict=True):
                load.add("assessments_score", (self.id(), ats, ats, aid, item, str(value)))
            events.append(
                (on, "assessment.recorded", "%(instrument)s assessment recorded (%(date)s).",
                 json.dumps({"instrument": self.c.csi.abbreviation, "date": on.isoformat()}))
            )  # fmt: skip

        # a plan once past the planning step: goals for the lowest-scored items, actions
        plan_approved = None
        action_ids: list[str] = []
        if step >= 4 and assessment_rows:
            aid, on, scores = assessment_rows[0]
            plan_approved = min(on + dt.timedelta(days=rng.randint(3, 14)), end)
            pid = self.id()
            pts = _ts(plan_approved)
            supervisor = self.c.supervisors[owner[1]]
            load.add(
                "plans_plan",
                (
                    pid, pts, pts, cid, "1", "approved",
                    deadlines.add_months(plan_approved, 3).isoformat(), cw_id, cw_id, pts,
                    supervisor, pts, "",
                ),
            )  # fmt: skip
            low = sorted(range(len(scores)), key=lambda i: scores[i])[: rng.randint(2, 4)]
            for order, index in enumerate(low):
                gid = self.id()
                done = not open_case or rng.random() < 0.3
                load.add(
                    "plans_goal",
                    (
                        gid, pts, pts, pid, str(order), rng.choice(GOALS),
                        self.c.csi_items[index], who, ("met" if done else "open"),
                    ),
                )  # fmt: skip
                for _ in range(rng.randint(1, 2)):
                    act = self.id()
                    action_ids.append(act)
                    due = plan_approved + dt.timedelta(days=rng.randint(7, 90))
                    load.add(
                        "plans_action",
                        (
                            act, pts, pts, gid, rng.choice(ACTIONS), cw_id, NULL, due.isoformat(),
                            "done" if done or due < today - dt.timedelta(days=30) else "planned",
                        ),
                    )  # fmt: skip

        # visits
        visits: list[dt.date] = []
        if step >= 2:
            day = opened
            interval = rules.visit_interval_days[risk]
            for _ in range(rng.randint(2, 10)):
                day = day + dt.timedelta(days=max(1, int(interval * (0.6 + rng.random()))))
                if day > end:
                    break
                visits.append(day)
        last_visit = None
        for on in visits:
            kind = rng.choice(("home", "home", "home", "office", "phone", "school"))
            vts = _ts(on, 39_600)
            load.add(
                "cases_visit",
                (
                    self.id(), vts, vts, cid, on.isoformat(), kind, "mother, children",
                    rng.choice(self.narratives), rng.choice(self.next_steps), cw_id,
                ),
            )  # fmt: skip
            if kind != "phone":
                last_visit = on
            events.append(
                (on, "visit.record", "%(visit_kind)s on %(date)s recorded.",
                 json.dumps({"visit_kind": kind, "date": on.isoformat()}))
            )  # fmt: skip

        # services delivered
        types = self.c.service_types
        partners = self.c.partners[soato]
        for _ in range(rng.randint(0, 6)):
            on = self._day(opened, max(1, (end - opened).days))
            kind_index = rng.randrange(len(PARTNER_KINDS))
            codes = self.c.offers[PARTNER_KINDS[kind_index]]
            if not codes:
                continue
            code = rng.choice(codes)
            by_partner = rng.random() < 0.4
            did = self.id()
            dts = _ts(on, 43_200)
            load.add(
                "support_servicedelivery",
                (
                    did, dts, dts, self.programme_id, owner[1], cw_id, "", types[code],
                    "individual", cid, on.isoformat(), NULL if by_partner else cw_id,
                    str(partners[kind_index].pk) if by_partner else NULL,
                    str(rng.choice((30, 45, 60, 90))), NULL, NULL, "",
                    rng.choice(action_ids) if action_ids and rng.random() < 0.5 else NULL, cw_id,
                ),
            )  # fmt: skip
            load.add(
                "support_deliveryattendance",
                (self.id(), dts, dts, did, subject or rng.choice(kids), "t"),
            )
            events.append(
                (on, "support.delivery", "Service recorded: %(service)s.",
                 json.dumps({"service": self.c.service_names[code], "present": 1}))
            )  # fmt: skip

        # a referral, with the consent to share information it relies on
        if rng.random() < PROPORTIONS["referral"]:
            person = subject or rng.choice(kids)
            on = self._day(opened, max(1, (end - opened).days))
            kind_index = rng.randrange(len(PARTNER_KINDS))
            codes = self.c.offers[PARTNER_KINDS[kind_index]]
            if codes:
                consent = self.id()
                rts = _ts(on, 45_000)
                load.add(
                    "registry_consent",
                    (consent, rts, rts, person, "information_sharing", "caregiver", "", "f",
                     on.isoformat(), NULL, ""),
                )  # fmt: skip
                urgency = rng.choice(("high", "normal", "normal", "low"))
                due = on + dt.timedelta(days={"high": 1, "normal": 7, "low": 14}[urgency])
                answered = due < today and rng.random() < 0.85
                rstatus = (
                    rng.choice(("accepted", "completed", "completed", "declined"))
                    if answered
                    else "sent"
                )
                load.add(
                    "support_referral",
                    (
                        self.id(), rts, rts, self.programme_id, cid, person, NULL,
                        types[rng.choice(codes)], str(self.c.ngo.pk),
                        str(partners[kind_index].pk), urgency, rng.choice(self.reasons),
                        due.isoformat(), rstatus, consent, "", NULL, NULL, cw_id,
                        _ts(due) if answered else NULL, NULL, "", NULL, NULL, "",
                    ),
                )  # fmt: skip

        # status, deadlines and the case row
        closure_reason = ""
        transferred_to = NULL
        if status == "closed":
            closure_reason = rng.choice(
                ("goals_met", "goals_met", "goals_met", "moved_in_country", "refused", "criteria")
            )
            events.append(
                (closed_on or today, "case.close",
                 "Closure approved; the case is closed (%(closure_reason)s).",
                 json.dumps({"closure_reason": closure_reason}))
            )  # fmt: skip
        elif status == "transferred":
            closure_reason = "transferred"
            transferred_to = str(partners[0].pk)
        last_assessed = assessed[-1] if assessed else None
        assessment_due = plan_due = visit_due = reassessment_due = None
        if open_case:
            if not assessed:
                assessment_due = deadlines.assessment_due(
                    rules, risk=risk, identified_at=identified
                )
            else:
                reassessment_due = deadlines.reassessment_due(rules, assessed_on=last_assessed)  # type: ignore[arg-type]
                if plan_approved is None:
                    plan_due = deadlines.plan_due(rules, assessed_on=assessed[0])
            visit_due = deadlines.visit_due(rules, risk=risk, since=last_visit or opened)
        requested_by = NULL
        requested_on = None
        if status == "closure_requested":
            requested_by, requested_on = cw_id, self._day(today - dt.timedelta(days=10), 10)
        load.add(
            "cases_case",
            (
                cid, ts, _ts(end), self.programme_id, owner[1], cw_id, "", number,
                "child" if subject else "family", hid, subject or NULL, risk, status, str(step),
                identified.isoformat(), opened.isoformat(), _d(closed_on), closure_reason, "",
                transferred_to, assessment_due.isoformat() if assessment_due else NULL,
                _d(plan_due), _d(visit_due), _d(reassessment_due), _d(last_assessed),
                _d(plan_approved), _d(last_visit), requested_by, _d(requested_on),
                _b(status == "closed" and closure_reason == "goals_met"),
            ),
        )  # fmt: skip
        for on, kind, message, params in events:
            ets = _ts(on, 46_800)
            load.add(
                "cases_caseevent",
                (self.id(), ets, ets, cid, ets, cw_id, kind, message, params, ""),
            )
        return closed_on
