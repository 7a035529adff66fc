"""Reads of the registry. Every one takes the user and applies registry.visibility's rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from oila.accounts.models import Programme, Role, User
from oila.audit import services as audit
from oila.common.crypto import keyed_hash
from oila.common.ids import uuid_or_404
from oila.common.queries import count_of
from oila.common.script import search_key
from oila.registry.models import (
    CareArrangement,
    Consent,
    Enrolment,
    Household,
    Membership,
    Person,
)
from oila.registry.visibility import owned_scope


@dataclass(frozen=True)
class HouseholdFilters:
    q: str = ""
    district: Any = None
    mahalla: Any = None
    group: str = ""
    status: str = ""
    programme: Any = None


def _enrolment_exists(**lookups: Any) -> Q:
    """Households enrolled themselves, or with a current member enrolled, as `lookups` say."""
    own = Enrolment.objects.filter(household=OuterRef("pk"), **lookups)
    # From the memberships to the members' enrolments by the person's key: no join with people.
    enrolled = Enrolment.objects.filter(person_id=OuterRef("person_id"), **lookups)
    members = Membership.objects.filter(
        Exists(enrolled), household=OuterRef("pk"), ended_on__isnull=True
    )
    return Q(Exists(own)) | Q(Exists(members))


_current_member_count = count_of(
    Membership.objects.filter(household=OuterRef("pk"), ended_on__isnull=True), "household"
)


def household_list(*, user: Any, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    """Households the user may see, filtered, with what the list page shows."""
    qs = household_filter(Household.objects.filter(owned_scope(user)), filters)
    return (
        qs.select_related("district", "mahalla", "caseworker")
        # A subquery, not a join with GROUP BY: counted for the rows of the page only, and the
        # paginator's COUNT leaves it out (at 200 000 households the join took seconds).
        .annotate(member_count=_current_member_count)
        .order_by("name", "id")
    )


def household_filter(
    qs: QuerySet[Household], filters: HouseholdFilters | None = None
) -> QuerySet[Household]:
    """The list's filters on households already limited to a scope (household_list; exports)."""
    f = filters or HouseholdFilters()
    if f.programme:
        qs = qs.filter(programme=f.programme)
    if f.district:
        qs = qs.filter(district=f.district)
    if f.mahalla:
        qs = qs.filter(mahalla=f.mahalla)
    lookups = {k: v for k, v in (("group", f.group), ("status", f.status)) if v}
    if lookups:
        qs = qs.filter(_enrolment_exists(**lookups))
    if f.q.strip():
        for word in search_key(f.q).split():
            qs = qs.filter(search_text__contains=word)
    return qs


def household_get(*, user: Any, household_id: Any, audit_read: bool = True) -> Household:
    """One household with members, enrolments, care history and consents; 404 when out of scope."""
    current = Membership.objects.select_related("person").order_by(
        "started_on", "person__given_name"
    )
    qs = (
        Household.objects.filter(owned_scope(user))
        .select_related("district", "mahalla", "caseworker", "team", "programme")
        .prefetch_related(
            Prefetch("memberships", queryset=current),
            Prefetch("enrolments", queryset=Enrolment.objects.order_by("-enrolled_on")),
        )
    )
    household = qs.filter(pk=uuid_or_404(household_id)).first()
    if household is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=household, action="household.view")
    return household


def person_list(*, user: Any, q: str = "", pinfl: str = "") -> QuerySet[Person]:
    """People the user may see, optionally by name (either script) or exact PINFL; people merged into
    another (redirects) are left out."""
    qs = Person.objects.filter(owned_scope(user), merged_into__isnull=True)
    for word in search_key(q).split():
        qs = qs.filter(search_text__contains=word)
    if pinfl.strip():
        qs = qs.filter(pinfl_hash=keyed_hash(pinfl.strip()))
    return qs.select_related("programme").order_by("family_name", "given_name", "id")


def person_get(*, user: Any, person_id: Any, audit_read: bool = True) -> Person:
    """One person with households, care history, consents and enrolments; 404 when out of scope."""
    qs = (
        Person.objects.filter(owned_scope(user))
        .select_related("programme", "team", "caseworker")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("household").order_by("-started_on"),
            ),
            Prefetch(
                "care_arrangements",
                queryset=CareArrangement.objects.select_related("caregiver_household"),
            ),
            Prefetch("consents", queryset=Consent.objects.order_by("-given_on")),
            Prefetch("enrolments", queryset=Enrolment.objects.order_by("-enrolled_on")),
        )
    )
    person = qs.filter(pk=uuid_or_404(person_id)).first()
    if person is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=person, action="person.view")
    return person


def person_read(*, user: Any, person: Person) -> None:
    """Record that the user read a person's record (for a page that got it with audit_read=False)."""
    audit.record_read(actor=user, target=person, action="person.view")


def household_members_detail(*, household: Household) -> dict[str, Any]:
    """For a household page: its members' care history, consents and enrolments, in 3 queries.

    The members as a subquery rather than a list of keys: the statement's text is the same for
    every household, so PostgreSQL reuses its prepared plan (ADR 0023)."""
    person_ids = Membership.objects.filter(household=household.pk).values("person_id")
    care = CareArrangement.objects.filter(person_id__in=person_ids).select_related(
        "person", "caregiver_household"
    )
    consents = Consent.objects.filter(person_id__in=person_ids).select_related("person")
    enrolments = Enrolment.objects.filter(person_id__in=person_ids).select_related("person")
    return {
        "care": list(care.order_by("person__given_name", "-started_on")),
        "consents": list(consents.order_by("person__given_name", "-given_on")),
        "enrolments": list(enrolments.order_by("person__given_name", "-enrolled_on")),
    }


def membership_get(*, user: Any, membership_id: Any) -> Membership:
    """A membership whose household the user may see; 404 otherwise."""
    visible = Household.objects.filter(owned_scope(user)).values("pk")
    membership = (
        Membership.objects.select_related("household", "person")
        .filter(pk=uuid_or_404(membership_id), household__in=visible)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def consent_get(*, user: Any, consent_id: Any) -> Consent:
    """A consent of a person the user may see; 404 otherwise."""
    visible = Person.objects.filter(owned_scope(user)).values("pk")
    consent = (
        Consent.objects.select_related("person")
        .filter(pk=uuid_or_404(consent_id), person__in=visible)
        .first()
    )
    if consent is None:
        raise Http404
    return consent


def household_enrolments(*, household: Household) -> list[Enrolment]:
    """The enrolments of a household and of its current members, in one query.

    The household must come from household_get (visibility already applied) with its memberships
    prefetched.
    """
    member_ids = [m.person_id for m in household.memberships.all() if m.ended_on is None]
    return list(
        Enrolment.objects.filter(Q(household=household) | Q(person_id__in=member_ids)).order_by(
            "-enrolled_on", "group", "id"
        )
    )


@dataclass(frozen=True)
class MyWork:
    household_count: int
    recent_households: list[Household]


def my_work(*, user: Any, recent: int = 10) -> MyWork:
    """A home page's summary: how many households the user may see and the latest changed ones."""
    count = Household.objects.filter(owned_scope(user)).count()
    latest = household_list(user=user).order_by("-updated_at", "id")[:recent]
    return MyWork(household_count=count, recent_households=list(latest))


def enrolment_get(*, user: Any, enrolment_id: Any) -> Enrolment:
    """An enrolment of a person or a household the user may see; 404 otherwise."""
    people = Person.objects.filter(owned_scope(user)).values("pk")
    households = Household.objects.filter(owned_scope(user)).values("pk")
    enrolment = (
        Enrolment.objects.select_related("person", "household", "programme")
        .filter(pk=uuid_or_404(enrolment_id))
        .filter(Q(person__in=people) | Q(household__in=households))
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def programme_stats(*, programme: Programme) -> dict[str, Any]:
    """A programme's counts, from database aggregates only (no personal data): active enrolments of
    people by beneficiary group and sex, households by kind and district, families with vulnerable
    children, and active users by role (users are counted installation-wide, since partners and
    administrators belong to no programme)."""
    active = Enrolment.objects.filter(
        programme=programme,
        status=Enrolment.Status.ACTIVE,
        person__isnull=False,
        person__merged_into__isnull=True,  # a merged record's enrolment is its survivor's
    )
    enrolled = {group: {"female": 0, "male": 0, "total": 0} for group in Enrolment.Group.values}
    with_disability = dict.fromkeys(Enrolment.Group.values, 0)
    rows = (
        active.values("group", "person__sex")
        .annotate(
            n=Count("person", distinct=True),
            disabled=Count("person", distinct=True, filter=Q(person__has_disability=True)),
        )
        .order_by()
    )
    for row in rows:
        counts = enrolled.setdefault(row["group"], {"female": 0, "male": 0, "total": 0})
        counts[row["person__sex"]] = counts.get(row["person__sex"], 0) + row["n"]
        counts["total"] += row["n"]
        with_disability[row["group"]] = with_disability.get(row["group"], 0) + row["disabled"]

    households_qs = Household.objects.filter(programme=programme)
    households = {"total": 0, **dict.fromkeys(Household.Kind.values, 0)}
    for row in households_qs.values("kind").annotate(n=Count("id")).order_by():
        households[row["kind"]] = row["n"]
        households["total"] += row["n"]
    by_district = {
        row["district__soato"]: row["n"]
        for row in households_qs.values("district__soato")
        .annotate(n=Count("id"))
        .order_by("district__soato")
    }
    families = (
        households_qs.filter(
            memberships__ended_on__isnull=True,
            memberships__person__enrolments__programme=programme,
            memberships__person__enrolments__group=Enrolment.Group.VULNERABLE_CHILD,
            memberships__person__enrolments__status=Enrolment.Status.ACTIVE,
        )
        .values("pk")
        .distinct()
        .count()
    )
    users = dict.fromkeys(Role.values, 0)
    for row in (
        User.objects.filter(is_active=True).values("role").annotate(n=Count("id")).order_by()
    ):
        users[row["role"]] = row["n"]
    return {
        "programme": programme.slug,
        "enrolled": enrolled,
        "enrolled_with_disability": with_disability,
        "households": households,
        "households_by_district": by_district,
        "families_with_vulnerable_children": families,
        "users": users,
    }
