"""Reads of duplicate handling: the review queue and merges, within what the reviewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from oila.audit import services as audit
from oila.common.ids import uuid_or_404
from oila.dedup.models import DuplicateCandidate, Merge
from oila.dedup.services import can_review
from oila.registry.models import Membership, Person
from oila.registry.visibility import owned_scope


def _visible_people(user: Any) -> Any:
    return Person.objects.filter(owned_scope(user)).values("pk")


def candidate_list(
    *, user: Any, status: str = DuplicateCandidate.Status.OPEN
) -> QuerySet[DuplicateCandidate]:
    """Candidates of a status whose two people the reviewer may both see (open ones: neither
    merged away since), best first."""
    if not can_review(user):
        return DuplicateCandidate.objects.none()
    visible = _visible_people(user)
    qs = DuplicateCandidate.objects.filter(
        status=status, person_a__in=visible, person_b__in=visible
    )
    if status == DuplicateCandidate.Status.OPEN:
        qs = qs.filter(person_a__merged_into__isnull=True, person_b__merged_into__isnull=True)
    return qs.select_related("person_a", "person_b").order_by("-score", "created_at", "id")


def candidate_get(*, user: Any, candidate_id: Any, audit_read: bool = False) -> DuplicateCandidate:
    """One candidate with both people's households; 404 unless the reviewer may see both.
    `audit_read`: the review page shows both people, a read of personal data (one audit event);
    the actions on the pair write their own."""
    if not can_review(user):
        raise Http404
    visible = _visible_people(user)
    memberships = Membership.objects.select_related("household__district").order_by("-started_on")
    people = Person.objects.prefetch_related(Prefetch("memberships", queryset=memberships))
    candidate = (
        DuplicateCandidate.objects.filter(
            pk=uuid_or_404(candidate_id), person_a__in=visible, person_b__in=visible
        )
        .prefetch_related(
            Prefetch("person_a", queryset=people), Prefetch("person_b", queryset=people)
        )
        .first()
    )
    if candidate is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=candidate, action="dedup.candidate.view")
    return candidate


def merge_list(*, user: Any, limit: int = 20) -> list[Merge]:
    """Recent merges the reviewer may see (the survivor in scope), newest first."""
    if not can_review(user):
        return []
    qs = (
        Merge.objects.filter(survivor__in=_visible_people(user))
        .select_related("survivor", "merged", "merged_by")
        .order_by("-created_at")
    )
    return list(qs[:limit])


def merge_get(*, user: Any, merge_id: Any) -> Merge:
    if not can_review(user):
        raise Http404
    merge = (
        Merge.objects.filter(pk=uuid_or_404(merge_id), survivor__in=_visible_people(user))
        .select_related("survivor", "merged")
        .first()
    )
    if merge is None:
        raise Http404
    return merge


def related_counts(*, person: Person) -> dict[str, int]:
    """How many rows of each kind point at a person (for the side-by-side comparison)."""
    from oila.dedup.services import person_relations

    counts: dict[str, int] = {}
    for model, field in person_relations():
        n = model._default_manager.filter(**{field.attname: person.pk}).count()
        if n:
            name = str(model._meta.verbose_name_plural)
            counts[name] = counts.get(name, 0) + n
    return counts
