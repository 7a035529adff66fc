"""Reads for the public programme page: figures, outcomes and the gallery, never a person's data.

The figures are database aggregates; every published count below the programme's small-cell
threshold (the `small_cell_threshold` setting, 5 by default; DOMAIN.md §6) is replaced by "fewer
than k" when it is shown (oila.public.figures). What the page needs is cached under a key made of
the programme's public data version (bumped by every service that writes an enrolment, a consent,
a person's sex or a photo), so a change shows on the next visit in every web process; the outcomes
come from oila.results and follow within PUBLIC_CACHE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from oila.accounts.models import Programme
from oila.cases.deadlines import add_months
from oila.common.dates import today
from oila.public.models import Photo
from oila.public.visibility import works_on
from oila.registry.models import Consent, Enrolment, Household, Person
from oila.registry.visibility import owned_scope

PUBLIC_CACHE_SECONDS = 600
GROUPS = (
    Enrolment.Group.SOS_CHILD,
    Enrolment.Group.VULNERABLE_CHILD,
    Enrolment.Group.YOUTH,
    Enrolment.Group.SPECIALIST,
)


def staff_programme(*, user: Any, slug: str) -> Programme | None:
    """A programme the user works on (published or not), for managing its gallery."""
    programme = Programme.objects.filter(slug=slug).first()
    return programme if programme is not None and works_on(user, programme) else None


def photo_candidates(*, user: Any, programme: Programme) -> QuerySet[Person]:
    """The people the user may see whose photo consent is current: who may be tagged in a photo."""
    consenting = current_photo_consent(on=today(), programme=programme).values("person")
    return (
        Person.objects.filter(owned_scope(user), programme=programme, pk__in=consenting)
        .filter(merged_into__isnull=True)
        .order_by("family_name", "given_name")
    )


def programme_photos(*, programme: Programme) -> QuerySet[Photo]:
    """All the programme's photos, each marked with whether the public sees it now."""
    shown = gallery_photos(programme=programme).filter(pk=OuterRef("pk"))
    return (
        Photo.objects.filter(programme=programme)
        .annotate(shown=Exists(shown), people=Count("subjects"))
        .order_by("-created_at")
    )


def published_programme(*, slug: str) -> Programme | None:
    """The programme with this short name, if its public page is published."""
    return Programme.objects.filter(slug=slug, published=True).first()


@dataclass(frozen=True)
class GroupCount:
    group: str
    total: int
    girls: int


@dataclass(frozen=True)
class PublicData:
    """Everything the page shows, as plain numbers and texts (what the cache holds)."""

    groups: list[GroupCount]
    families: int  # households with children enrolled as children of vulnerable families
    threshold: int
    outcomes: list[Any] = field(default_factory=list)  # oila.results PublicOutcome
    photos: list[tuple[str, str]] = field(default_factory=list)  # (photo id, caption)


def direct_beneficiaries(*, programme: Programme) -> tuple[list[GroupCount], int]:
    """People ever enrolled in each beneficiary group (the programme's reach: graduated, transferred
    and exited people were reached too), girls among them, and the families of the vulnerable
    children. Two aggregate queries."""
    rows = (
        Enrolment.objects.filter(
            programme=programme, person__isnull=False, person__merged_into__isnull=True
        )
        .values("group")
        .annotate(
            total=Count("person", distinct=True),
            girls=Count("person", distinct=True, filter=Q(person__sex=Person.Sex.FEMALE)),
        )
        .order_by()
    )
    by_group = {row["group"]: row for row in rows}
    groups = [
        GroupCount(group, by_group[group]["total"], by_group[group]["girls"])
        for group in GROUPS
        if group in by_group
    ]
    families = (
        Household.objects.filter(
            programme=programme,
            memberships__ended_on__isnull=True,
            memberships__person__merged_into__isnull=True,
            memberships__person__enrolments__programme=programme,
            memberships__person__enrolments__group=Enrolment.Group.VULNERABLE_CHILD,
        )
        .values("pk")
        .distinct()
        .count()
    )
    return groups, families


def current_photo_consent(*, on: dt.date, programme: Programme) -> QuerySet[Consent]:
    """Photo consents in force on a day: given, not withdrawn, and — when a parent, caregiver or
    guardian gave it — only while the person is too young to consent themselves (DOMAIN.md §2: from
    the age after the programme's assent band, 15 by default, the young person's own consent is
    needed; a proxy consent for someone whose age is unknown is not relied on)."""
    bands = programme.setting("consent_age_bands") or {}
    own_consent_age = int(bands.get("assent_until", 14)) + 1
    # Born after this day: younger than own_consent_age on `on`.
    born_after = add_months(on, -12 * own_consent_age)
    return Consent.objects.filter(
        Q(given_by=Consent.GivenBy.SELF) | Q(person__birth_date__gt=born_after),
        purpose=Consent.Purpose.PHOTOS,
        given_on__lte=on,
    ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


def gallery_photos(*, programme: Programme, on: dt.date | None = None) -> QuerySet[Photo]:
    """The photos the public may see: someone is tagged in each, and every person tagged has a
    current photo consent. One query; a photo whose subjects' consent lapses drops out at once."""
    on = on or today()
    consents = current_photo_consent(on=on, programme=programme).filter(person=OuterRef("pk"))
    unconsented = Person.objects.filter(public_photos=OuterRef("pk")).exclude(Exists(consents))
    return (
        Photo.objects.filter(programme=programme)
        .filter(Exists(Person.objects.filter(public_photos=OuterRef("pk"))))
        .exclude(Exists(unconsented))
        .order_by("-taken_on", "-created_at")
    )


def gallery_photo(*, programme: Programme, photo_id: Any) -> Photo | None:
    """One photo of the gallery, if the public may see it now (checked again on every request)."""
    return gallery_photos(programme=programme).filter(pk=photo_id).first()


def _outcomes(programme: Programme) -> list[Any]:
    try:
        from oila.results.selectors import public_outcomes
    except ImportError:  # pragma: no cover - an installation without the results framework
        return []
    return list(public_outcomes(programme=programme))


def public_data(*, programme: Programme) -> PublicData:
    """What the public page shows, from the cache when nothing changed since it was computed."""
    key = f"oila:public:{programme.pk}:{programme.public_version}:{today().isoformat()}"
    threshold = int(programme.setting("small_cell_threshold"))
    data = cache.get(key)
    if isinstance(data, PublicData):
        # The threshold is read afresh: changing the setting applies at once.
        return replace(data, threshold=threshold)
    groups, families = direct_beneficiaries(programme=programme)
    data = PublicData(
        groups=groups,
        families=families,
        threshold=threshold,
        outcomes=_outcomes(programme),
        photos=[
            (str(pk), caption)
            for pk, caption in gallery_photos(programme=programme).values_list("pk", "caption")
        ],
    )
    cache.set(key, data, PUBLIC_CACHE_SECONDS)
    return data
