"""Reads of cases. Every one takes the user and applies the owner-field visibility rule.

A case out of the user's scope is a 404 (Http404), never a 403. Reading a case's page or full API
record writes one audit event; lists and dashboards show summaries and are not audited (like the
registry's lists).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from oila.accounts.models import Role, User
from oila.audit import services as audit
from oila.cases import deadlines
from oila.cases.models import OPEN_STATUSES, Case, CaseEvent, GatekeepingDecision, Visit
from oila.cases.visibility import owned_scope
from oila.common.dates import today as local_today
from oila.common.ids import uuid_or_404
from oila.registry.models import FORMAL_CARE, CareArrangement, Membership, Person

# ---------------------------------------------------------------------------------------------------
# Lists


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    risk: str = ""
    step: int | None = None
    kind: str = ""
    overdue: bool = False
    caseworker: Any = None
    q: str = ""
    open_only: bool = False


def _placement_overdue(today: dt.date) -> Q:
    """Cases with a formal care placement of their child(ren) whose review is overdue."""
    overdue = CareArrangement.objects.filter(
        ended_on__isnull=True, type__in=FORMAL_CARE, next_review_on__lt=today
    )
    of_subject = overdue.filter(person=OuterRef("subject"))
    of_members = overdue.filter(
        person__memberships__household=OuterRef("household"),
        person__memberships__ended_on__isnull=True,
    )
    return (Q(kind=Case.Kind.CHILD) & Exists(of_subject)) | (
        Q(kind=Case.Kind.FAMILY) & Exists(of_members)
    )


def overdue_q(today: dt.date) -> Q:
    """Open cases with at least one deadline before today (placement reviews included)."""
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return Q(status__in=OPEN_STATUSES) & (
        Q(assessment_due_at__lt=start_of_today)
        | Q(plan_due_on__lt=today)
        | Q(visit_due_on__lt=today)
        | Q(reassessment_due_on__lt=today)
        | _placement_overdue(today)
    )


def case_list(*, user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases the user may see, filtered, with what the list page shows."""
    qs = case_filter(Case.objects.filter(owned_scope(user)), filters)
    return qs.select_related("household", "subject", "caseworker").order_by("-opened_on", "number")


def case_filter(qs: QuerySet[Case], filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The list's filters on cases already limited to a scope (case_list; exports)."""
    f = filters or CaseFilters()
    if f.status:
        qs = qs.filter(status=f.status)
    elif f.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.risk:
        qs = qs.filter(risk=f.risk)
    if f.step:
        qs = qs.filter(step=f.step)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.caseworker:
        qs = qs.filter(caseworker=f.caseworker)
    if f.overdue:
        qs = qs.filter(overdue_q(local_today()))
    if f.q.strip():
        text = f.q.strip()
        qs = qs.filter(
            Q(number__icontains=text)
            | Q(household__name__icontains=text)
            | Q(subject__given_name__icontains=text)
            | Q(subject__family_name__icontains=text)
        )
    return qs


# ---------------------------------------------------------------------------------------------------
# One case


def case_get(*, user: Any, case_id: Any, audit_read: bool = True) -> Case:
    """One case the user may see (404 otherwise); the read is audited."""
    case = (
        Case.objects.filter(owned_scope(user))
        .select_related("household", "subject", "caseworker", "team", "programme", "transferred_to")
        .filter(pk=uuid_or_404(case_id))
        .first()
    )
    if case is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=case, action="case.view")
    return case


def case_visible(*, user: Any, case_id: Any) -> bool:
    """Whether the user may (still) see a case, e.g. after reassigning it to another team."""
    return Case.objects.filter(owned_scope(user), pk=uuid_or_404(case_id)).exists()


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    events: list[CaseEvent]
    visits: list[Visit]
    gatekeeping: list[GatekeepingDecision]
    children: list[Person]
    placements: list[CareArrangement]


def case_children(*, case: Case) -> QuerySet[Person]:
    """The children a case is about: its subject, or the household's current members."""
    if case.kind == Case.Kind.CHILD:
        if case.subject_id is None:
            return Person.objects.none()
        return Person.objects.filter(pk=case.subject_id)
    members = Membership.objects.filter(household=case.household_id, ended_on__isnull=True)
    return Person.objects.filter(pk__in=members.values("person_id")).order_by(
        "birth_date", "given_name"
    )


def case_detail(*, user: Any, case_id: Any) -> CaseDetail:
    """A case with its timeline, visits, gatekeeping decisions and care placements (one audit event)."""
    case = case_get(user=user, case_id=case_id)
    children = list(case_children(case=case))
    events = list(case.events.select_related("actor").order_by("-at", "-created_at"))
    visits = list(case.visits.select_related("recorded_by").order_by("-on", "-created_at"))
    gatekeeping = list(
        case.gatekeeping.select_related("child", "decided_by").order_by("-decided_on")
    )
    placements = list(
        # (the children as a subquery: one statement text for every case, its plan prepared)
        CareArrangement.objects.filter(
            person__in=case_children(case=case).order_by().values("pk"), ended_on__isnull=True
        )
        .select_related("person", "caregiver_household")
        .order_by("person__given_name")
    )
    return CaseDetail(
        case=case,
        events=events,
        visits=visits,
        gatekeeping=gatekeeping,
        children=children,
        placements=placements,
    )


def case_visits(*, user: Any, case_id: Any) -> tuple[Case, QuerySet[Visit]]:
    """A case's visits and notes (narratives included); the read of the case is audited."""
    case = case_get(user=user, case_id=case_id)
    visits = case.visits.select_related("recorded_by").order_by("-on", "-created_at")
    return case, visits


def placement_get(*, case: Case, placement_id: Any) -> CareArrangement:
    """A current care arrangement of one of the case's children (the case is already visible)."""
    placement = (
        CareArrangement.objects.filter(
            pk=uuid_or_404(placement_id),
            person__in=case_children(case=case).values("pk"),
            ended_on__isnull=True,
        )
        .select_related("person")
        .first()
    )
    if placement is None:
        raise Http404
    return placement


def caseworker_choices(*, programme_id: Any) -> QuerySet[User]:
    """Active caseworkers of a programme's teams (whom a case may be assigned to)."""
    return (
        User.objects.filter(role=Role.CASEWORKER, is_active=True, team__programme=programme_id)
        .select_related("team")
        .order_by("team__name", "username")
    )


# ---------------------------------------------------------------------------------------------------
# What is due


@dataclass(frozen=True)
class DueItem:
    kind: str  # assessment, plan, visit, reassessment, placement_review
    due_on: dt.date
    case_id: Any
    case_number: str
    who: str
    caseworker_id: Any

    @property
    def url(self) -> str:
        return reverse("cases:case", args=[self.case_id])


@dataclass
class DueItems:
    overdue: list[DueItem] = field(default_factory=list)
    today: list[DueItem] = field(default_factory=list)
    week: list[DueItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.week)

    def add(self, item: DueItem, today: dt.date) -> None:
        which = deadlines.bucket(item.due_on, today=today)
        if which is not None:
            getattr(self, which).append(item)

    def sort(self) -> None:
        for items in (self.overdue, self.today, self.week):
            items.sort(key=lambda i: (i.due_on, i.case_number, i.kind))


@dataclass(frozen=True)
class DueCount:
    """How many deadlines one team (or one kind of deadline) has in each list."""

    key: Any  # a team's id, or a kind of deadline
    label: str
    overdue: int = 0
    today: int = 0
    week: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.week


@dataclass
class DueOverview(DueItems):
    """What is due at a glance: the number of deadlines in each list, per team and per kind, and
    only the most urgent `shown` of each list (a programme has tens of thousands)."""

    totals: dict[str, int] = field(default_factory=dict)
    by_team: list[DueCount] = field(default_factory=list)
    by_kind: list[DueCount] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.totals.values())

    def total(self, bucket: str) -> int:
        return self.totals.get(bucket, 0)


def _who(case: Case) -> str:
    return case.subject.full_name if case.subject is not None else case.household.name


def due_items(*, user: Any, today: dt.date) -> DueItems:
    """The user's overdue, due-today and due-this-week deadlines, from their visible open cases.

    Two queries whatever the caseload: the cases with a stored deadline up to the end of the week,
    and the formal care placements of their children whose review falls due by then.
    """
    end = deadlines.week_end(today)
    end_at = timezone.make_aware(dt.datetime.combine(end, dt.time.max))
    visible_open = Case.objects.filter(owned_scope(user)).filter(status__in=OPEN_STATUSES)
    cases = visible_open.filter(
        Q(assessment_due_at__lte=end_at)
        | Q(plan_due_on__lte=end)
        | Q(visit_due_on__lte=end)
        | Q(reassessment_due_on__lte=end)
    ).select_related("household", "subject")
    items = DueItems()
    _add_case_items(items, cases, today)
    for placement in _placements_due(visible_open, end):
        items.add(
            DueItem(
                "placement_review",
                placement.next_review_on,
                placement.case_id,
                placement.case_number,
                placement.person.full_name,
                _id(placement.case_caseworker),  # a string when read through SQLite's subquery
            ),
            today,
        )
    items.sort()
    return items


def _add_case_items(items: DueItems, cases: Any, today: dt.date, kinds: Any = None) -> None:
    """Each stored deadline of the cases (or only those of `kinds`) into its list."""
    for case in cases:
        due = {
            "assessment": (
                timezone.localtime(case.assessment_due_at).date()
                if case.assessment_due_at
                else None
            ),
            "plan": case.plan_due_on,
            "visit": case.visit_due_on,
            "reassessment": case.reassessment_due_on,
        }
        for kind, due_on in due.items():
            if due_on is not None and (kinds is None or kind in kinds):
                items.add(
                    DueItem(kind, due_on, case.pk, case.number, _who(case), case.caseworker_id),
                    today,
                )


# What a due placement says of the case it belongs to: annotation -> the case's column.
PLACEMENT_CASE = {
    "case_id": "pk",
    "case_number": "number",
    "case_caseworker": "caseworker",
    "case_team": "team",
    "case_team_name": "team__name",
}


def _placements_due(
    visible_open: QuerySet[Case], end: dt.date, annotations: Iterable[str] = PLACEMENT_CASE
) -> Any:
    """Current formal placements reviewed by `end`, each with the visible open case it belongs to
    (the child's own case when there is one, else the family's), as the `annotations` named in
    PLACEMENT_CASE (each is two subqueries: ask only for those needed)."""
    child_cases = visible_open.filter(kind=Case.Kind.CHILD, subject=OuterRef("person")).order_by(
        "opened_on"
    )
    family_cases = visible_open.filter(
        kind=Case.Kind.FAMILY,
        household__memberships__person=OuterRef("person"),
        household__memberships__ended_on__isnull=True,
    ).order_by("opened_on")

    def either(column: str) -> Any:
        return Coalesce(
            Subquery(child_cases.values(column)[:1]), Subquery(family_cases.values(column)[:1])
        )

    # Only the children of the visible open cases, found first (subjects of child cases, current
    # members of family cases' households): without this the subqueries above ran for every due
    # placement of the installation, seconds at a million people.
    # One set (a UNION), not two IN lists joined by OR: PostgreSQL cannot drive an OR of two
    # subqueries from the index on the person, and scanned every placement of the installation.
    children = Q(
        person__in=visible_open.filter(kind=Case.Kind.CHILD)
        .order_by()
        .values("subject")
        .union(
            Membership.objects.filter(
                ended_on__isnull=True,
                household__in=visible_open.filter(kind=Case.Kind.FAMILY).values("household"),
            )
            .order_by()
            .values("person")
        )
    )
    return (
        CareArrangement.objects.filter(
            children, ended_on__isnull=True, type__in=FORMAL_CARE, next_review_on__lte=end
        )
        .annotate(**{name: either(PLACEMENT_CASE[name]) for name in {"case_id", *annotations}})
        .filter(Q(case_id__isnull=False))  # (a Q: the annotation's name is not known statically)
        .select_related("person")
        .order_by("next_review_on")
    )


DUE_COLUMNS = {
    "assessment": "assessment_due_at",
    "plan": "plan_due_on",
    "visit": "visit_due_on",
    "reassessment": "reassessment_due_on",
}
DUE_KINDS = (*DUE_COLUMNS, "placement_review")
DUE_BUCKETS = (deadlines.OVERDUE, deadlines.TODAY, deadlines.WEEK)
DUE_SHOWN = 25
DUE = "due"  # every list at once


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _due_range(kind: str, bucket: str, today: dt.date) -> Q:
    """The deadlines of one kind that fall in one list (overdue, today, the rest of the week; or
    DUE: any of them), as a half-open range on the stored column, so that an index on it serves
    ORDER BY … LIMIT."""
    one = dt.timedelta(days=1)
    low, high = {
        deadlines.OVERDUE: (None, today),
        deadlines.TODAY: (today, today + one),
        deadlines.WEEK: (today + one, deadlines.week_end(today) + one),
        DUE: (None, deadlines.week_end(today) + one),
    }[bucket]
    column = "next_review_on" if kind == "placement_review" else DUE_COLUMNS[kind]
    if kind == "assessment":  # a moment: the list is that of its local date
        low = None if low is None else _local_midnight(low)
        high = _local_midnight(high)
    within = Q(**{f"{column}__lt": high})
    return within if low is None else within & Q(**{f"{column}__gte": low})


def _id(value: Any) -> uuid.UUID | None:
    """A team's id as read directly or through a subquery (a string on some databases)."""
    return None if value is None else uuid.UUID(str(value))


def due_overview(*, user: Any, today: dt.date, shown: int = DUE_SHOWN) -> DueOverview:
    """The user's deadlines at a glance: how many are overdue, due today and due this week, per
    team and per kind, and the `shown` most urgent of each list.

    One grouped count over the visible open cases and one query for the care placements; then the
    items shown: in one query when everything fits, else, per kind and list that has any, the
    first `shown` in deadline order (each an indexed ORDER BY … LIMIT). A programme manager's
    tens of thousands of deadlines are counted, not loaded.
    """
    end = deadlines.week_end(today)
    visible_open = Case.objects.filter(owned_scope(user)).filter(status__in=OPEN_STATUSES)
    counted = Q()
    for kind in DUE_COLUMNS:
        counted |= _due_range(kind, DUE, today)
    aggregates = {
        f"{kind}__{bucket}": Count("pk", filter=_due_range(kind, bucket, today))
        for kind in DUE_COLUMNS
        for bucket in DUE_BUCKETS
    }
    rows = list(
        visible_open.filter(counted)
        .values("team", "team__name")
        .annotate(**aggregates)
        .order_by("team__name")
    )
    # The placements with their case's key, then those cases' details in one query: the ten
    # subqueries of asking for every detail cost more to build and to run than the second query.
    placements = list(
        _placements_due(visible_open, end, ["case_id"]).values(
            "next_review_on", "person_id", "case_id"
        )
    )
    if placements:
        details = {
            row["pk"]: row
            for row in Case.objects.filter(pk__in={_id(p["case_id"]) for p in placements}).values(
                "pk", *(c for c in PLACEMENT_CASE.values() if c != "pk")
            )
        }
        for placement in placements:
            case = details[_id(placement["case_id"])]
            placement.update(
                {name: case[column] for name, column in PLACEMENT_CASE.items() if column != "pk"}
            )
    teams: dict[Any, dict[str, Any]] = {}
    kinds: dict[str, Counter[str]] = {kind: Counter() for kind in DUE_KINDS}
    for row in rows:
        team = teams.setdefault(_id(row["team"]), {"label": row["team__name"], "n": Counter()})
        for kind in DUE_COLUMNS:
            for bucket in DUE_BUCKETS:
                team["n"][bucket] += row[f"{kind}__{bucket}"]
                kinds[kind][bucket] += row[f"{kind}__{bucket}"]
    placements_in: dict[str, list[dict[str, Any]]] = {bucket: [] for bucket in DUE_BUCKETS}
    for placement in placements:
        which = deadlines.bucket(placement["next_review_on"], today=today)
        if which is None:
            continue
        placements_in[which].append(placement)
        team = teams.setdefault(
            _id(placement["case_team"]), {"label": placement["case_team_name"], "n": Counter()}
        )
        team["n"][which] += 1
        kinds["placement_review"][which] += 1
    overview = DueOverview(
        totals={b: sum(k[b] for k in kinds.values()) for b in DUE_BUCKETS},
        by_team=sorted(
            (DueCount(key, t["label"] or "", **t["n"]) for key, t in teams.items()),
            key=lambda c: (c.label == "", c.label),
        ),
        by_kind=[DueCount(kind, kind, **kinds[kind]) for kind in DUE_KINDS if kinds[kind].total()],
    )
    case_items = sum(sum(kinds[kind].values()) for kind in DUE_COLUMNS)
    related = ("household", "subject")
    if case_items and all(overview.total(b) <= shown for b in DUE_BUCKETS):
        _add_case_items(overview, visible_open.filter(counted).select_related(*related), today)
    elif case_items:
        for kind, column in DUE_COLUMNS.items():
            for bucket in DUE_BUCKETS:
                if kinds[kind][bucket]:
                    first = visible_open.filter(_due_range(kind, bucket, today))
                    first = first.select_related(*related).order_by(column, "number")[:shown]
                    _add_case_items(overview, first, today, kinds=(kind,))
    placements_shown = [
        p
        for bucket in DUE_BUCKETS
        for p in sorted(
            placements_in[bucket], key=lambda p: (p["next_review_on"], p["case_number"])
        )[:shown]
    ]
    if placements_shown:
        names = {
            person.pk: person.full_name
            for person in Person.objects.filter(pk__in={p["person_id"] for p in placements_shown})
        }
        for p in placements_shown:
            overview.add(
                DueItem(
                    "placement_review",
                    p["next_review_on"],
                    p["case_id"],
                    p["case_number"],
                    names.get(p["person_id"], ""),
                    p["case_caseworker"],
                ),
                today,
            )
    overview.sort()
    for bucket in DUE_BUCKETS:
        del getattr(overview, bucket)[shown:]
    return overview


def due_list(*, user: Any, today: dt.date, kind: str, bucket: str) -> QuerySet[Any]:
    """Every deadline of one kind in one list (overdue, today, this week), most urgent first: the
    visible open cases, or for placement reviews the care placements (the full list the home page
    links to; paginate it)."""
    visible_open = Case.objects.filter(owned_scope(user)).filter(status__in=OPEN_STATUSES)
    if kind == "placement_review":
        return (
            _placements_due(visible_open, deadlines.week_end(today))
            .filter(_due_range(kind, bucket, today))
            .order_by("next_review_on", "case_number", "pk")
        )
    return (
        visible_open.filter(_due_range(kind, bucket, today))
        .select_related("household", "subject", "caseworker", "team")
        .order_by(DUE_COLUMNS[kind], "number")
    )


# ---------------------------------------------------------------------------------------------------
# The supervisor's dashboard


@dataclass(frozen=True)
class WorkerLoad:
    worker: User
    open_cases: int
    high_risk: int
    overdue: int


@dataclass(frozen=True)
class TeamDashboard:
    workers: list[WorkerLoad]
    unassigned: int
    overdue: list[DueItem]
    closures: list[Case]


def team_dashboard(*, user: Any, today: dt.date) -> TeamDashboard:
    """Each caseworker's open caseload and overdue deadlines, and the closures awaiting approval.

    A supervisor sees their team, a manager their programmes' teams; the number of queries does not
    depend on how many workers or cases there are.
    """
    if user.role == Role.SUPERVISOR:
        workers_qs = User.objects.filter(team=user.team_id)
    else:
        workers_qs = User.objects.filter(team__programme__in=user.programmes.all())
    workers = list(
        workers_qs.filter(role=Role.CASEWORKER, is_active=True)
        .select_related("team")
        .order_by("team__name", "last_name", "username")
    )
    loads = {
        row["caseworker"]: row
        for row in Case.objects.filter(owned_scope(user), status__in=OPEN_STATUSES)
        .values("caseworker")
        .annotate(n=Count("id"), high=Count("id", filter=Q(risk=Case.Risk.HIGH)))
        .order_by()
    }
    due = due_items(user=user, today=today)
    overdue_by_worker = Counter(item.caseworker_id for item in due.overdue)
    closures = list(
        Case.objects.filter(owned_scope(user), status=Case.Status.CLOSURE_REQUESTED)
        .select_related("household", "subject", "caseworker", "closure_requested_by")
        .order_by("closure_requested_on", "number")
    )
    rows = [
        WorkerLoad(
            worker=w,
            open_cases=loads.get(w.pk, {}).get("n", 0),
            high_risk=loads.get(w.pk, {}).get("high", 0),
            overdue=overdue_by_worker.get(w.pk, 0),
        )
        for w in workers
    ]
    return TeamDashboard(
        workers=rows,
        unassigned=loads.get(None, {}).get("n", 0),
        overdue=due.overdue,
        closures=closures,
    )


# ---------------------------------------------------------------------------------------------------
# The alternative-care report (DOMAIN.md §4)

REUNIFIED_TO = (CareArrangement.Type.PARENTAL, CareArrangement.Type.INFORMAL_KINSHIP)
FAMILY_BASED = (
    CareArrangement.Type.PARENTAL,
    CareArrangement.Type.INFORMAL_KINSHIP,
    CareArrangement.Type.FORMAL_KINSHIP,
    CareArrangement.Type.FOSTER,
    CareArrangement.Type.FAMILY_LIKE,
)
PREVENTED = (
    GatekeepingDecision.Decision.PLACEMENT_PREVENTED,
    GatekeepingDecision.Decision.FAMILY_SUPPORT,
)


@dataclass
class ReportRow:
    month: dt.date | None  # None: the whole period
    placements_made: int = 0
    placements_prevented: int = 0
    family_support_instead: int = 0
    reunifications: int = 0
    residential_to_family: int = 0

    @property
    def prevented_total(self) -> int:
        return self.placements_prevented + self.family_support_instead


@dataclass(frozen=True)
class AlternativeCareReport:
    start: dt.date
    end: dt.date
    months: list[ReportRow]
    total: ReportRow


def _month(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def alternative_care_report(*, user: Any, start: dt.date, end: dt.date) -> AlternativeCareReport:
    """Per month of [start, end]: placements made and prevented (gatekeeping), reunifications
    (formal care → parental or informal kinship care) and children moved from residential to
    family-based care, for the children the user may see. Counts only, no names."""
    people = Person.objects.filter(owned_scope(user)).values("pk")
    rows: dict[dt.date, ReportRow] = {}

    def row(month: Any) -> ReportRow:
        key = _month(month)
        return rows.setdefault(key, ReportRow(month=key))

    decisions = (
        GatekeepingDecision.objects.filter(
            child__in=people, decided_on__gte=start, decided_on__lte=end
        )
        .annotate(month=TruncMonth("decided_on"))
        .values("month", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    field_of = {
        GatekeepingDecision.Decision.PLACEMENT_MADE: "placements_made",
        GatekeepingDecision.Decision.PLACEMENT_PREVENTED: "placements_prevented",
        GatekeepingDecision.Decision.FAMILY_SUPPORT: "family_support_instead",
    }
    for d in decisions:
        r = row(d["month"])
        setattr(r, field_of[d["decision"]], getattr(r, field_of[d["decision"]]) + d["n"])

    previous = CareArrangement.objects.filter(
        person=OuterRef("person"), started_on__lt=OuterRef("started_on")
    ).order_by("-started_on")
    changes = (
        CareArrangement.objects.filter(
            person__in=people, started_on__gte=start, started_on__lte=end
        )
        .annotate(previous_type=Subquery(previous.values("type")[:1]))
        .filter(
            Q(type__in=REUNIFIED_TO, previous_type__in=FORMAL_CARE)
            | Q(type__in=FAMILY_BASED, previous_type=CareArrangement.Type.RESIDENTIAL)
        )
        .annotate(month=TruncMonth("started_on"))
        .values("month", "type", "previous_type")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    for c in changes:
        r = row(c["month"])
        if c["type"] in REUNIFIED_TO and c["previous_type"] in FORMAL_CARE:
            r.reunifications += c["n"]
        if c["type"] in FAMILY_BASED and c["previous_type"] == CareArrangement.Type.RESIDENTIAL:
            r.residential_to_family += c["n"]

    months = [rows[k] for k in sorted(rows)]
    total = ReportRow(month=None)
    for r in months:
        for name in (
            "placements_made",
            "placements_prevented",
            "family_support_instead",
            "reunifications",
            "residential_to_family",
        ):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return AlternativeCareReport(start=start, end=end, months=months, total=total)
