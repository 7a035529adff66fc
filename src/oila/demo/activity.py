"""The demo programme's history: what caseworkers, supervisors, partners and the manager recorded
from 2017 to today, replayed through the services of each app so that every rule holds and every
change has its audit event.

Each family, child, young person and training event has a story: a generator that yields the day of
its next step and, when resumed on that day (the simulated clock of oila.demo.clock answering it),
calls the services. The stories run interleaved in the order of their days, so the programme's
history unfolds as it would have: a family graduates after its children's group sessions, a young
person's follow-up comes after the placement it follows up.

What comes out, so that every results indicator has data: cases at every step (open, assessed,
planned, implementing, closed with graduation, transfer or another reason), first and latest CSI
assessments (protection scores improving for most children), approved plans with goals and actions,
visits, services (individual and group), referrals to the partner agencies (accepted, declined,
completed or not), children reunified from residential care, youth trainings, placements and their
follow-ups, training events for the specialists with pre- and post-test scores, and a few photos.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from itertools import count
from random import Random
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.utils import timezone

from oila.accounts.models import Organisation, Programme, User
from oila.assessments import services as assessments
from oila.assessments.models import Instrument, Item
from oila.cases import services as cases
from oila.cases.deadlines import add_months
from oila.cases.models import Case
from oila.demo.clock import SimulatedClock, simulated_time
from oila.plans import services as plans
from oila.plans.models import Goal
from oila.public import services as public
from oila.public.png import landscape
from oila.public.selectors import current_photo_consent
from oila.registry import services as registry
from oila.registry.models import CareArrangement, Consent, Enrolment, Household, Membership, Person
from oila.support import services as support
from oila.support.models import Referral, ServiceDelivery, ServiceType
from oila.training import services as training
from oila.youth import services as youth
from oila.youth.models import FollowUp

Story = Generator[dt.date, None, None]
DAY = dt.timedelta(days=1)

PUBLIC_DESCRIPTION = (
    "Khorezm viloyatida oilalarni mustahkamlash va bolalarni jamiyatga asoslangan himoya qilish "
    "dasturi (2017–2026): bolalar oilada qolishi yoki oilaga qaytishi uchun oilalar, yoshlar va "
    "mutaxassislar bilan ishlaymiz.\n\n"
    "Family strengthening and community-based child protection in Khorezm region (2017–2026): we "
    "work with families, young people and specialists so that children stay in, or return to, "
    "family care. (Synthetic demo data.)"
)
VISIT_NOTES = [
    "Oila bilan uchrashildi, bolalarning maktabga qatnashi muhokama qilindi.",
    "Onasi bilan suhbat: oila byudjeti va oziq-ovqat masalasi koʻrib chiqildi.",
    "Bolalar sogʻligʻi yaxshi, uy sharoiti yaxshilangan.",
    "Mahalla raisi bilan birga tashrif: moddiy yordam masalasi.",
    "Rejadagi harakatlar bajarilishi koʻrib chiqildi.",
]
CLOSURE_NOTES = {
    "goals_met": "Reja maqsadlariga erishildi, oila mustaqil.",
    "moved_in_country": "Oila Toshkent viloyatiga koʻchib ketdi.",
    "moved_abroad": "Oila chet elga koʻchib ketdi.",
    "refused": "Oila yordamdan voz kechdi.",
    "criteria": "Oila endi dastur mezonlariga mos kelmaydi.",
    "other": "Boshqa sabab: ish hamkor tashkilot nazoratiga oʻtdi.",
}
TRAINING_TOPICS = [
    "Bolalarni himoya qilish asoslari (case management)",
    "Bola holati indeksi (CSI) bilan ishlash",
    "Muqobil parvarish boʻyicha BMT yoʻriqnomalari",
    "Oilani mustahkamlash: ota-onalar bilan ishlash",
    "Zoʻravonlikni aniqlash va yoʻnaltirish",
    "Nogironligi boʻlgan bolalar bilan ishlash",
    "Psixologik-ijtimoiy qoʻllab-quvvatlash",
    "Inklyuziv taʼlim",
]
COURSES = [
    ("vocational", "Tikuvchilik"),
    ("vocational", "Oshpazlik"),
    ("vocational", "Elektr montajchi"),
    ("vocational", "Sartaroshlik"),
    ("vocational", "Kompyuter savodxonligi"),
    ("life_skills", "Hayotiy koʻnikmalar va moliyaviy savodxonlik"),
]
POSITIONS = ["tikuvchi", "oshpaz yordamchisi", "elektrik shogirdi", "sotuvchi", "operator"]
PHOTO_CAPTIONS = [
    "Oilaviy kun: ota-onalar va bolalar birga",
    "Maktabga tayyorgarlik: yangi darsliklar",
    "Tikuvchilik kursi bitiruvchilari",
    "Bahorgi hashar: mahalla bilan birga",
    "Bolalar ijodiy toʻgarakda",
    "Yozgi oromgoh",
]
# Which partner answers for which service (oila.demo.config.OFFERS says who offers what).
REFERRAL_SERVICES = [
    ("tutoring", "school"),
    ("school_enrolment", "school"),
    ("health_check", "health"),
    ("health_treatment", "health"),
    ("legal_documents", "guardianship"),
    ("in_kind_support", "mahalla"),
]
INDIVIDUAL_SERVICES = ["psychosocial_individual", "school_supplies", "in_kind_support"]
PROTECTION = ("3A", "3B")


@dataclass
class Cast:
    """Who acts in the demo, and what they act with."""

    programme: Programme
    caseworkers: dict[str, User]  # team name -> caseworker
    deciders: dict[str, User]  # team name -> who approves plans and closures
    manager: User
    partner: User  # partner1, the school's focal point
    organisations: dict[str, Organisation]
    services: dict[str, ServiceType]
    csi: Instrument
    items: dict[str, Item]
    today: dt.date
    rng: Random


def _aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _between(rng: Random, start: dt.date, end: dt.date) -> dt.date:
    return start if end <= start else start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _pick(rng: Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- the scheduler ---------------------------------------------------------------------------------


def run_stories(stories: Iterable[Story], clock: SimulatedClock, today: dt.date) -> int:
    """Run the stories interleaved by day; a story whose next day is after today ends there."""
    heap: list[tuple[dt.date, int, Story]] = []
    order = count()
    steps = 0

    def advance(story: Story) -> None:
        day = next(story, None)
        if day is not None and day <= today:
            heapq.heappush(heap, (day, next(order), story))

    for story in stories:
        clock.set(today)
        advance(story)
    while heap:
        day, _, story = heapq.heappop(heap)
        clock.set(day)
        advance(story)
        steps += 1
    return steps


# --- CSI scores -------------------------------------------------------------------------------------


def first_scores(rng: Random, concern: bool) -> dict[str, int]:
    """A first CSI: most factors fair or bad; protection low when there is a protection concern."""
    scores = {code: _pick(rng, {1: 0.08, 2: 0.32, 3: 0.42, 4: 0.18}) for code in CSI_CODES}
    if concern:
        for code in PROTECTION:
            scores[code] = _pick(rng, {1: 0.35, 2: 0.55, 3: 0.1})
    return scores


def latest_scores(rng: Random, first: dict[str, int], improving: bool) -> dict[str, int]:
    """A later CSI: most factors the same or better; protection better when the plan worked."""
    out = {}
    for code, value in first.items():
        step = _pick(rng, {-1: 0.06, 0: 0.5, 1: 0.38, 2: 0.06})
        if code in PROTECTION:
            step = _pick(rng, {1: 0.75, 2: 0.25}) if improving else _pick(rng, {0: 0.7, -1: 0.3})
        out[code] = min(4, max(1, value + step))
    return out


CSI_CODES = ["1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "5B", "6A", "6B"]


# --- cases -----------------------------------------------------------------------------------------


@dataclass
class Family:
    household: Household
    team: str
    children: list[Person]  # enrolled as children (vulnerable or SOS), current members
    started: dt.date  # when the first of them was enrolled
    has_youth: bool
    head_consents: bool  # an adult has a current consent to share information


def _goals(
    cast: Cast, scores: dict[Person, dict[str, int]], start: dt.date, caseworker: User
) -> list[dict[str, Any]]:
    """A goal for each low-scored factor (at most three), each with one action."""
    rng = cast.rng
    low = sorted(
        ((value, code, person) for person, s in scores.items() for code, value in s.items()
         if value <= 2),
        key=lambda row: (row[0], row[1], str(row[2].pk)),
    )  # fmt: skip
    goals: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _value, code, person in low:
        if code in seen:
            continue
        seen.add(code)
        item = cast.items[code]
        action: dict[str, Any] = {"due_on": start + dt.timedelta(days=rng.randint(30, 120))}
        if rng.random() < 0.35:
            action["description"] = "Hamkor tashkilotga yoʻnaltirish"
            action["responsible_organisation"] = cast.organisations[
                rng.choice(["school", "health", "mahalla"])
            ]
        else:
            action["description"] = "Oilaga muntazam tashrif va maslahat"
            action["responsible_user"] = caseworker
        goals.append(
            {
                "text": f"{person.given_name}: {item.goals.get('uz') or item.goals.get('en')}",
                "item": item,
                "person": person,
                "actions": [action],
            }
        )
        if len(goals) == 3:
            break
    if not goals:
        person = next(iter(scores))
        goals.append(
            {
                "text": f"{person.given_name}: maktabda muvaffaqiyatli oʻqish",
                "item": cast.items["6A"],
                "person": person,
                "actions": [{"description": "Oʻqituvchi bilan uchrashuv",
                             "due_on": start + dt.timedelta(days=60),
                             "responsible_user": caseworker}],
            }
        )  # fmt: skip
    return goals


def _residential_history(cast: Cast, family: Family, caseworker: User) -> Person | None:
    """Sometimes a child of the family is in an institution when the case opens: the placement is
    recorded as history, and the case works to bring the child home."""
    from oila.demo.families import INSTITUTIONS

    rng = cast.rng
    if family.household.kind != "vulnerable" or family.has_youth or rng.random() > 0.16:
        return None
    candidates = [
        child for child in family.children
        if child.birth_date and (family.started - child.birth_date).days > 3 * 365
        and not child.care_arrangements.exists()
    ]  # fmt: skip
    if not candidates:
        return None
    child = rng.choice(candidates)
    assert child.birth_date is not None
    placed = _between(rng, child.birth_date + dt.timedelta(days=365), family.started - 60 * DAY)
    registry.care_arrangement_record(
        actor=caseworker, person=child,
        data={"type": CareArrangement.Type.RESIDENTIAL, "started_on": placed,
              "place": rng.choice(INSTITUTIONS),
              "next_review_on": cast.today + dt.timedelta(days=rng.randint(5, 80))},
    )  # fmt: skip
    return child


def case_story(
    cast: Cast, family: Family, started: dt.date, *, child: Person | None = None
) -> Story:
    """A family case (or, with `child`, an SOS child's case) from identification to closure."""
    rng, today = cast.rng, cast.today
    team = family.team
    caseworker, decider = cast.caseworkers[team], cast.deciders[team]
    household = family.household
    opened = started + dt.timedelta(days=rng.randint(0, 20))
    yield opened
    risk = _pick(rng, {"high": 0.15, "medium": 0.45, "low": 0.4})
    if child is None:
        case = cases.case_open(
            actor=caseworker, household=household, kind=Case.Kind.FAMILY, risk=risk,
            identified_at=_aware(opened - dt.timedelta(days=rng.randint(1, 4))),
        )  # fmt: skip
    else:
        case = cases.case_open(
            actor=caseworker, household=household, kind=Case.Kind.CHILD, risk=risk,
            subject=child, identified_at=_aware(opened - DAY),
        )  # fmt: skip
    in_care = _residential_history(cast, family, caseworker) if child is None else None
    if opened > today - dt.timedelta(days=150) and rng.random() < 0.5:
        return  # still being identified
    assessed = opened + dt.timedelta(days=rng.randint(1, 10))
    yield assessed
    assessed_children = (
        [child] if child else rng.sample(family.children, 1 if len(family.children) < 4 else 2)
    )
    concern = rng.random() < 0.45
    first: dict[Person, dict[str, int]] = {}
    for person in assessed_children:
        first[person] = first_scores(rng, concern)
        assessments.assessment_record(
            actor=caseworker, case=case, instrument=cast.csi, assessed_on=assessed,
            scores=first[person], subject=person,
        )  # fmt: skip
    cases.visit_record(
        actor=caseworker, case=case, on=assessed, kind="home", narrative=rng.choice(VISIT_NOTES)
    )
    if rng.random() < 0.08:
        return  # assessed, no plan yet
    planned = assessed + dt.timedelta(days=rng.randint(5, 14))
    yield planned
    plan = plans.plan_create(
        actor=caseworker, case=case, review_on=planned + dt.timedelta(days=90),
        goals=_goals(cast, first, planned, caseworker),
    )  # fmt: skip
    plans.plan_submit(actor=caseworker, plan=plan)
    if rng.random() < 0.06:
        return  # waiting for the supervisor
    approved = planned + dt.timedelta(days=rng.randint(1, 5))
    yield approved
    plans.plan_decide(actor=decider, plan=plan, approve=True, comment="Tasdiqlandi.")
    yield from _carry_out(cast, case, family, child, first, in_care, approved)


def _carry_out(
    cast: Cast,
    case: Case,
    family: Family,
    child: Person | None,
    first: dict[Person, dict[str, int]],
    in_care: Person | None,
    approved: dt.date,
) -> Story:
    """Visits, services, referrals (answered and reported on later), a reunification, the latest
    CSI, then the closure: each step on its day, in the order of the days."""
    rng, today = cast.rng, cast.today
    caseworker, decider = cast.caseworkers[family.team], cast.deciders[family.team]
    improving = rng.random() < 0.7
    latest_on = add_months(approved, rng.randint(6, 12))
    closes = latest_on + dt.timedelta(days=rng.randint(20, 120))
    may_close = not family.has_youth and closes <= today - dt.timedelta(days=14)
    if may_close and rng.random() < 0.15:
        may_close = False  # a long-running case
    end = closes if may_close else today
    steps: list[tuple[dt.date, int, str, Any]] = []
    order = count()

    def add(day: dt.date, what: str, arg: Any = None) -> None:
        if approved < day < end or (not may_close and approved < day <= today):
            steps.append((day, next(order), what, arg))

    day = approved
    for _ in range(5):
        day += dt.timedelta(days=rng.randint(30, 80))
        add(day, "visit")
    if not may_close:  # an open case is visited lately too
        add(today - dt.timedelta(days=rng.randint(2, 25)), "visit")
    for _ in range(rng.randint(1, 3)):
        person = child or rng.choice(family.children)
        add(_between(rng, approved + DAY, end - DAY), "service", person)
    if rng.random() < 0.75:
        for index in range(rng.randint(1, 2)):
            sent = _between(rng, approved + DAY, end - 20 * DAY)
            answered = sent + dt.timedelta(days=rng.randint(1, 8))
            add(sent, "referral", index)
            add(answered, "answer", index)
            add(answered + dt.timedelta(days=rng.randint(7, 45)), "report", index)
    if in_care is not None:
        add(_between(rng, approved + DAY, end - DAY), "reunify", in_care)
    add(latest_on, "csi")
    steps.sort(key=lambda s: (s[0], s[1]))
    referrals: dict[int, Referral] = {}
    for day, _n, what, arg in steps:
        yield day
        if what == "visit":
            kind = _pick(rng, {"home": 0.7, "school": 0.1, "office": 0.1, "phone": 0.1})
            cases.visit_record(actor=caseworker, case=case, on=day, kind=kind,
                               narrative=rng.choice(VISIT_NOTES))  # fmt: skip
        elif what == "service":
            _individual_service(cast, case, caseworker, arg, day)
        elif what == "referral":
            referral = _referral(cast, case, caseworker, family, child, day)
            if referral is not None:
                referrals[arg] = referral
        elif what == "answer" and arg in referrals:
            if not _answer(cast, referrals[arg], caseworker):
                del referrals[arg]
        elif what == "report" and arg in referrals:
            if referrals[arg].status == Referral.Status.ACCEPTED and rng.random() < 0.9:
                completed = rng.random() < 0.82
                support.referral_report(
                    actor=_responder(cast, referrals[arg], caseworker), referral=referrals[arg],
                    completed=completed,
                    feedback="Xizmat koʻrsatildi." if completed
                    else "Oila kelmadi, xizmat koʻrsatilmadi.",
                )  # fmt: skip
        elif what == "reunify":
            cases.care_change_record(
                actor=caseworker, case=case, child=arg, care_type=CareArrangement.Type.PARENTAL,
                started_on=day, notes="Bola muassasadan oilasiga qaytdi.",
            )  # fmt: skip
        elif what == "csi":
            for assessed_child, scores in first.items():
                assessments.assessment_record(
                    actor=caseworker, case=case, instrument=cast.csi, assessed_on=day,
                    scores=latest_scores(rng, scores, improving), subject=assessed_child,
                )  # fmt: skip
    if may_close:
        yield closes
        yield from _close(cast, case, caseworker, decider, likely_met=improving, day=closes)


def _individual_service(
    cast: Cast, case: Case, caseworker: User, person: Person, day: dt.date
) -> None:
    rng = cast.rng
    code = rng.choice(INDIVIDUAL_SERVICES)
    by_partner = code == "in_kind_support"
    support.delivery_record(
        actor=caseworker,
        service_type=cast.services[code],
        kind=ServiceDelivery.Kind.INDIVIDUAL,
        delivered_on=day,
        attended=[person.pk],
        case=case,
        provider_user=None if by_partner else caseworker,
        provider_organisation=cast.organisations["mahalla"] if by_partner else None,
        duration_minutes=rng.choice([30, 45, 60, 90]),
    )


def _referral(
    cast: Cast, case: Case, caseworker: User, family: Family, child: Person | None, day: dt.date
) -> Referral | None:
    """Refer a child with a consent to share information (or the household, with an adult's)."""
    rng = cast.rng
    code, partner_key = rng.choice(REFERRAL_SERVICES)
    candidates = [child] if child else family.children
    consenting = [
        p for p in candidates
        if p.consents.filter(purpose="information_sharing", withdrawn_on__isnull=True,
                             given_on__lte=day).exists()
    ]  # fmt: skip
    target: dict[str, Any]
    if consenting:
        target = {"person": rng.choice(consenting)}
    elif child is None and family.head_consents:
        target = {"household": family.household}
    else:
        return None
    return support.referral_create(
        actor=caseworker, case=case, service_type=cast.services[code],
        to_organisation=cast.organisations[partner_key],
        reason="Oilaning ehtiyojiga koʻra mutaxassis yordami kerak.",
        urgency=_pick(rng, {"normal": 0.75, "high": 0.1, "low": 0.15}), **target,
    )  # fmt: skip


def _responder(cast: Cast, referral: Referral, caseworker: User) -> User:
    """The school answers through its focal point; for the others the caseworker records it."""
    school = referral.to_organisation_id == cast.organisations["school"].pk
    return cast.partner if school else caseworker


def _answer(cast: Cast, referral: Referral, caseworker: User) -> bool:
    """Accept (most), decline (some) or leave unanswered; True when accepted."""
    roll = cast.rng.random()
    responder = _responder(cast, referral, caseworker)
    if roll < 0.12:
        support.referral_decline(
            actor=responder,
            referral=referral,
            reason="Hozircha joy yoʻq, keyinroq murojaat qiling.",
        )
        return False
    if roll < 0.17:
        return False  # no answer yet
    support.referral_accept(actor=responder, referral=referral)
    return True


def _close(
    cast: Cast, case: Case, caseworker: User, decider: User, *, likely_met: bool, day: dt.date
) -> Story:
    """Request the closure (with the plan's goals checklist) and have it approved; or transfer."""
    rng = cast.rng
    reason = "goals_met" if likely_met and rng.random() < 0.85 else _pick(
        rng, {"moved_in_country": 3, "moved_abroad": 1, "refused": 2, "criteria": 2, "other": 1,
              "transferred": 2}
    )  # fmt: skip
    if reason == "transferred":
        if cases.current_sharing_consent(case) is not None:
            cases.case_transfer(
                actor=decider, case=case, organisation=cast.organisations["guardianship"],
                reason="Bolaning vasiyligi boʻyicha ish vasiylik organiga oʻtkazildi.",
            )  # fmt: skip
            return
        reason = "other"
    plan = plans.plan_in_force(case)
    goals = list(plan.goals.all()) if plan else []
    met = reason == "goals_met"
    statuses = {
        goal.pk: Goal.Status.MET if met or rng.random() < 0.5 else Goal.Status.NOT_MET
        for goal in goals
    }
    plans.plan_closure_request(
        actor=caseworker, case=case, reason=reason, note=CLOSURE_NOTES[reason],
        goal_statuses=statuses,
    )  # fmt: skip
    decided = day + dt.timedelta(days=rng.randint(1, 6))
    if decided > cast.today or rng.random() < 0.04:
        return  # waiting for the supervisor's decision
    yield decided
    cases.case_closure_decide(actor=decider, case=case, approve=True, comment="Tasdiqlandi.")


# --- group sessions --------------------------------------------------------------------------------


def group_sessions_story(cast: Cast, team: str, children: list[tuple[Person, dt.date]]) -> Story:
    """A psycho-social group session each quarter, for children enrolled by then and still active."""
    rng = cast.rng
    caseworker = cast.caseworkers[team]
    day = dt.date(2017, 9, 15)
    while day <= cast.today:
        yield day
        ready = [p for p, enrolled_on in children if enrolled_on <= day]
        active = set(
            Enrolment.objects.filter(
                person__in=[p.pk for p in ready], status=Enrolment.Status.ACTIVE
            ).values_list("person_id", flat=True)
        )
        pool = [p for p in ready if p.pk in active]
        if len(pool) >= 6:
            group = rng.sample(pool, min(len(pool), rng.randint(6, 12)))
            absent = group[: rng.randint(0, 2)]
            support.delivery_record(
                actor=caseworker,
                service_type=cast.services["psychosocial_group"],
                kind=ServiceDelivery.Kind.GROUP,
                delivered_on=day,
                attended=[p.pk for p in group[len(absent) :]],
                absent=[p.pk for p in absent],
                provider_user=caseworker,
                duration_minutes=90,
            )
        day = add_months(day, 3) + dt.timedelta(days=rng.randint(-10, 10))


# --- young people ----------------------------------------------------------------------------------


def youth_story(cast: Cast, person: Person, enrolled_on: dt.date, caseworker: User) -> Story:
    """A course, its certificate, a job or self-employment, and the follow-ups that fall due."""
    rng, today = cast.rng, cast.today
    assert person.birth_date is not None
    fifteen = add_months(person.birth_date, 15 * 12) + DAY
    starts = max(enrolled_on + dt.timedelta(days=rng.randint(7, 60)), fifteen)
    if starts > today - dt.timedelta(days=20) or rng.random() < 0.1:
        return
    yield starts
    kind, course = rng.choice(COURSES)
    ends = starts + dt.timedelta(days=rng.randint(45, 120))
    course_record = youth.youth_training_create(
        actor=caseworker, person=person,
        data={"kind": kind, "provider": cast.organisations["training"], "course": course,
              "starts_on": starts, "ends_on": ends},
    )  # fmt: skip
    if ends > today or rng.random() < 0.12:
        return  # still training, or dropped out
    yield ends
    youth.youth_training_complete(
        actor=caseworker, training=course_record, completed_on=ends,
        certificate_number=f"KH-{ends.year}-{rng.randint(1000, 9999)}",
    )  # fmt: skip
    if rng.random() < 0.25:
        return  # looking for work
    work_starts = ends + dt.timedelta(days=rng.randint(10, 90))
    if work_starts > today:
        return
    yield work_starts
    employed = rng.random() < 0.7
    placement = youth.placement_create(
        actor=caseworker, person=person,
        data={
            "kind": "employment" if employed else "self_employment",
            "employer": cast.organisations["employer"] if employed else None,
            "training": course_record,
            "position": rng.choice(POSITIONS),
            "starts_on": work_starts,
            "contract_type": _pick(rng, {"permanent": 2, "fixed_term": 3, "seasonal": 1,
                                         "informal": 1}) if employed else "",
            "monthly_wage_uzs": rng.randint(20, 60) * 100_000,
        },
    )  # fmt: skip
    working = True
    for follow_up in FollowUp.objects.filter(placement=placement).order_by("month"):
        done_on = follow_up.due_on + dt.timedelta(days=rng.randint(0, 12))
        if done_on > today:
            return
        yield done_on
        working = working and rng.random() < 0.85
        youth.follow_up_record(
            actor=caseworker, follow_up=follow_up, done_on=done_on, still_working=working,
            monthly_wage_uzs=rng.randint(20, 70) * 100_000 if working else None,
        )  # fmt: skip


# --- training of specialists -----------------------------------------------------------------------


def training_story(cast: Cast, specialists: list[tuple[Person, dt.date]]) -> Story:
    """Two or three events a year; pre- and post-tests, certificates for a post-test of 70 % or more."""
    rng = cast.rng
    day = dt.date(2017, 10, 2)
    number = 0
    while day <= cast.today - dt.timedelta(days=7):
        yield day
        ready = [p for p, enrolled_on in specialists if enrolled_on <= day]
        ends = day
        if len(ready) >= 5:
            ends = day + dt.timedelta(days=rng.choice([0, 1, 2, 4]))
            event = training.event_create(
                actor=cast.manager, programme=cast.programme,
                data={"topic": TRAINING_TOPICS[number % len(TRAINING_TOPICS)], "starts_on": day,
                      "ends_on": ends, "trainer_name": rng.choice(["G. Sobirova", "A. Yusupov",
                                                                    "UNICEF trening guruhi"]),
                      "venue": rng.choice(["Urganch, NNT ofisi", "Xiva, madaniyat markazi"])},
            )  # fmt: skip
            number += 1
            invited = rng.sample(ready, min(len(ready), rng.randint(8, 18)))
            participations = training.participants_add(
                actor=cast.manager, event=event, people=invited
            )
            if ends != day:
                yield ends
            rows = []
            for participation in participations:
                attended = rng.random() < 0.9
                pre = rng.randint(25, 65) if attended else None
                post = min(100, pre + rng.randint(5, 35)) if pre is not None else None
                rows.append(
                    training.ResultRow(
                        participation=participation, attended=attended, pre_score=pre,
                        post_score=post,
                        certificate_number=f"TR-{day.year}-{rng.randint(100, 999)}"
                        if post is not None and post >= 70 else "",
                    )
                )  # fmt: skip
            training.event_results_record(actor=cast.manager, event=event, rows=rows)
        day = max(day, ends) + dt.timedelta(days=rng.randint(120, 200))


# --- putting it together ---------------------------------------------------------------------------


def _families(programme: Programme, caseworker_team: dict[Any, str]) -> list[Family]:
    members = Membership.objects.filter(ended_on__isnull=True).select_related("person")
    households = (
        Household.objects.filter(programme=programme, kind__in=["vulnerable", "sos"])
        .prefetch_related(Prefetch("memberships", queryset=members, to_attr="current"))
        .order_by("external_id")
    )
    enrolments = {
        (e.person_id, e.group): e.enrolled_on
        for e in Enrolment.objects.filter(programme=programme, person__isnull=False)
    }
    sharing = set(
        Consent.objects.filter(
            person__programme=programme, purpose="information_sharing", withdrawn_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    out = []
    for household in households:
        group = "sos_child" if household.kind == "sos" else "vulnerable_child"
        children = [m.person for m in household.current if (m.person_id, group) in enrolments]
        if not children:
            continue
        adults = [m.person for m in household.current
                  if m.relationship in ("head", "spouse", "caregiver")]  # fmt: skip
        out.append(
            Family(
                household=household,
                team=caseworker_team[household.caseworker_id],
                children=children,
                started=min(enrolments[(p.pk, group)] for p in children),
                has_youth=any((m.person_id, "youth") in enrolments for m in household.current),
                head_consents=any(a.pk in sharing for a in adults),
            )
        )
    return out


def _cast(programme: Programme, rng: Random, today: dt.date) -> Cast:
    users = {u.username: u for u in User.objects.filter(
        username__in=["caseworker1", "caseworker2", "supervisor1", "manager", "partner1"])}  # fmt: skip
    from oila.demo.config import NGO_NAME, PARTNERS

    names = {key: name for key, name, _kind, _soato in PARTNERS} | {"ngo": NGO_NAME}
    by_name = {o.name: o for o in Organisation.objects.filter(name__in=names.values())}
    csi = Instrument.objects.filter(code="csi", active=True).order_by("-version").first()
    assert csi is not None, "the CSI instrument is loaded by the assessments migrations"
    return Cast(
        programme=programme,
        caseworkers={"Urganch": users["caseworker1"], "Xiva": users["caseworker2"]},
        # Team Xiva has no supervisor: the programme manager decides for it.
        deciders={"Urganch": users["supervisor1"], "Xiva": users["manager"]},
        manager=users["manager"],
        partner=users["partner1"],
        organisations={key: by_name[name] for key, name in names.items()},
        services={s.code: s for s in ServiceType.objects.filter(programme=programme)},
        csi=csi,
        items={item.code: item for item in csi.items.all()},
        today=today,
        rng=rng,
    )


def _photos(cast: Cast) -> int:
    """A few photos of people with a photo consent (and one whose consent was withdrawn since,
    which the public page leaves out)."""
    rng = cast.rng
    caseworker = cast.caseworkers["Urganch"]
    consents = Consent.objects.filter(purpose="photos", person__caseworker=caseworker)
    current = set(
        current_photo_consent(on=cast.today, programme=cast.programme)
        .filter(person__caseworker=caseworker)
        .values_list("person_id", flat=True)
    )
    by_household: dict[Any, list[Person]] = {}
    for consent in consents.select_related("person").order_by("person__external_id"):
        membership = consent.person.memberships.filter(ended_on__isnull=True).first()
        if membership is not None and consent.person.pk in current:
            by_household.setdefault(membership.household_id, []).append(consent.person)
    groups = [people for people in by_household.values()]
    withdrawn = [c.person for c in consents.filter(withdrawn_on__isnull=False)[:1]]
    colours = [((70, 130, 200), (80, 150, 70)), ((200, 120, 70), (150, 120, 60)),
               ((120, 170, 220), (60, 120, 80)), ((230, 170, 90), (110, 140, 60))]  # fmt: skip
    made = 0
    for index, people in enumerate([*rng.sample(groups, min(4, len(groups))), withdrawn]):
        if not people:
            continue
        sky, ground = colours[index % len(colours)]
        image = landscape(160, 120, sky, ground, (250, 215, 80))
        public.photo_upload(
            actor=caseworker, programme=cast.programme, file=ContentFile(image, "photo.png"),
            caption=PHOTO_CAPTIONS[index % len(PHOTO_CAPTIONS)], subjects=people[:3],
            taken_on=cast.today - dt.timedelta(days=30 * (index + 1)),
        )  # fmt: skip
        made += 1
    return made


def activity_exists(programme: Programme) -> bool:
    return Case.objects.filter(programme=programme).exists()


def build_activity(*, programme: Programme, seed: int, on_step: Callable[[str], object]) -> None:
    """Replay the programme's history (see the module's docstring); run once, after the registry."""
    # Not for secrets: a seeded generator, so one seed always gives the same history.
    rng = Random(seed * 7919 + 1)  # noqa: S311
    today = timezone.localdate()
    cast = _cast(programme, rng, today)
    team_of = {u.pk: team for team, u in cast.caseworkers.items()}
    families = _families(programme, team_of)
    started = {
        e.person_id: e.enrolled_on
        for e in Enrolment.objects.filter(programme=programme, group="sos_child")
    }
    for person in Person.objects.filter(programme=programme, enrolments__group="specialist"):
        training.specialist_profile_set(
            actor=cast.manager, person=person,
            organisation=cast.organisations[rng.choice(["school", "health", "guardianship",
                                                         "mahalla"])],
            position=rng.choice(["oʻqituvchi", "psixolog", "ijtimoiy pedagog", "shifokor",
                                 "inspektor"]),
        )  # fmt: skip
    stories: list[Story] = []
    for family in families:
        if family.household.kind == "sos":
            for child in family.children:
                if rng.random() < 0.85:
                    stories.append(case_story(cast, family, started[child.pk], child=child))
        elif rng.random() < 0.9:
            stories.append(case_story(cast, family, family.started))
    for team in ("Urganch", "Xiva"):
        children = [(c, f.started) for f in families if f.team == team for c in f.children]
        stories.append(group_sessions_story(cast, team, children))
    young = Enrolment.objects.filter(programme=programme, group="youth").select_related("person")
    for enrolment in young.order_by("person__external_id"):
        person = enrolment.person
        assert person is not None
        caseworker = cast.caseworkers[team_of.get(person.caseworker_id, "Urganch")]
        stories.append(youth_story(cast, person, enrolment.enrolled_on, caseworker))
    specialists = [
        (e.person, e.enrolled_on)
        for e in Enrolment.objects.filter(programme=programme, group="specialist")
        .select_related("person")
        .order_by("person__external_id")
    ]
    stories.append(training_story(cast, specialists))  # type: ignore[arg-type]
    with simulated_time() as clock:
        steps = run_stories(stories, clock, today)
    on_step(f"History replayed: {steps} steps.")
    on_step(f"Photos: {_photos(cast)}.")
    if not programme.published:
        public.programme_publish(
            actor=cast.manager, programme=programme, published=True,
            public_description=PUBLIC_DESCRIPTION,
        )  # fmt: skip
