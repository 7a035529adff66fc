"""Writes of duplicate handling: registry scans, review decisions, merges and their undoing.

Nothing is ever merged automatically: a scan proposes candidates, a supervisor (or programme manager)
decides. A merge moves every row that points at the merged person to the survivor by walking the
relations Django knows (Person._meta.related_objects, ADR 0007), so apps above this one (cases,
assessments, plans, support, …) need no code here; the moved row ids are kept for the undo.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from oila.accounts.models import Role, User
from oila.audit import services as audit
from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.dedup import scan
from oila.dedup.models import DuplicateCandidate, Merge, ScanRun
from oila.registry.matching import ENTRY_CHOICE_ACTION
from oila.registry.models import Membership, Person
from oila.registry.services import household_refresh_search

logger = logging.getLogger("oila.dedup")

REVIEWERS = (Role.SUPERVISOR, Role.MANAGER)
# Relationships whose holder is a mother to the household's children (for "mother's name").
_MOTHERS = (
    Membership.Relationship.HEAD,
    Membership.Relationship.SPOUSE,
    Membership.Relationship.CAREGIVER,
)
_CHILDREN = (
    Membership.Relationship.CHILD,
    Membership.Relationship.GRANDCHILD,
    Membership.Relationship.FOSTER_CHILD,
)


def can_review(user: Any) -> bool:
    """Supervisors and programme managers review possible duplicates and merge people."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role in REVIEWERS
    )


def _require_reviewer(actor: User) -> None:
    if not can_review(actor):
        raise PermissionDenied(_("Only a supervisor or a programme manager may do this."))


def model_dir() -> Path:
    return Path(settings.VAR_DIR) / "dedup"


# ---------------------------------------------------------------------------------------------------
# Scans


def registry_records() -> Iterator[dict[str, Any]]:
    """Every person not merged away, as oila.dedup.scan takes them: names, stored keys, birth date,
    sex, district (of the current household), mother's given name where the household says it."""
    district = Membership.objects.filter(person=OuterRef("pk"), ended_on__isnull=True).order_by(
        "-started_on"
    )
    mothers: dict[Any, str] = {}
    households: dict[Any, dict[str, list[Any]]] = {}
    rows = Membership.objects.filter(ended_on__isnull=True, person__merged_into__isnull=True)
    for household_id, person_id, relationship, sex, given in rows.values_list(
        "household_id", "person_id", "relationship", "person__sex", "person__given_name"
    ).iterator(chunk_size=5000):
        entry = households.setdefault(household_id, {"mothers": [], "children": []})
        if relationship in _MOTHERS and sex == Person.Sex.FEMALE:
            entry["mothers"].append(given)
        elif relationship in _CHILDREN:
            entry["children"].append(person_id)
    for entry in households.values():
        if len(entry["mothers"]) == 1:  # one woman who may be the mother: otherwise unknown
            for child in entry["children"]:
                mothers[child] = entry["mothers"][0]
    people = (
        Person.objects.filter(merged_into__isnull=True)
        .annotate(district=Subquery(district.values("household__district__soato")[:1]))
        .values(
            "id",
            "given_name",
            "family_name",
            "patronymic",
            "birth_date",
            "sex",
            "pinfl_hash",
            "name_script",
            "fold_given",
            "fold_family",
            "fold_patronymic",
            "name_key",
            "sound_key",
            "district",
        )
        .order_by()
    )
    for person in people.iterator(chunk_size=5000):
        person["mother_name"] = mothers.get(person["id"], "")
        yield person


def scan_registry(
    *,
    actor: Any = None,
    threshold: float = scan.DEFAULT_THRESHOLD,
    model_path: Path | None = None,
    progress: scan.Progress | None = None,
) -> ScanRun:
    """Scan the whole registry with splink, store the pairs above `threshold` as open candidates for
    review (pairs already decided are left alone; "not the same person" is never proposed again)."""
    run = ScanRun(started_at=timezone.now(), threshold=threshold)
    run.save(force_insert=True)
    try:
        result = scan.scan_records(
            registry_records(),
            model_dir=model_dir(),
            model_path=model_path,
            threshold=threshold,
            progress=progress,
        )
    except Exception as exc:
        run.status, run.finished_at, run.error = ScanRun.Status.FAILED, timezone.now(), str(exc)
        run.save(update_fields=["status", "finished_at", "error", "updated_at"])
        logger.exception("Duplicate scan failed.")
        raise
    with transaction.atomic():
        reported = candidates_from_entry_reports()
        new = candidates_store(run, result.pairs)
        run.status, run.finished_at = ScanRun.Status.DONE, timezone.now()
        run.people, run.pairs, run.candidates_new = result.people, len(result.pairs), new + reported
        run.model_version = result.model_version
        run.model_file = str(result.model_path or "")
        run.not_comparable = [{"id": i, "why": why} for i, why in result.skipped]
        run.warnings = result.warnings
        run.save()
        audit.record(
            actor=actor or "dedup scan",
            action="dedup.scan",
            target=run,
            after={
                "people": run.people,
                "pairs": run.pairs,
                "new": run.candidates_new,
                "not_comparable": len(result.skipped),
                "model_version": run.model_version,
            },
        )
    if progress is not None:
        progress.step(f"stored {run.candidates_new} new candidates")
    return run


def _ordered(a: Any, b: Any) -> tuple[str, str]:
    a, b = str(a), str(b)
    return (a, b) if a < b else (b, a)


def candidates_store(run: ScanRun, pairs: list[scan.Pair]) -> int:
    """Store scanned pairs as open candidates (new ones) or refresh the score of open ones; decided
    pairs are left as they are. Returns how many are new. (Also for pairs predicted elsewhere, e.g.
    on Spark: docs/dedup-spark.md.)"""
    existing: dict[tuple[str, str], tuple[Any, str]] = {
        _ordered(a, b): (pk, status)
        for pk, a, b, status in DuplicateCandidate.objects.values_list(
            "pk", "person_a_id", "person_b_id", "status"
        ).iterator(chunk_size=10000)
    }
    new, update = [], []
    for pair in pairs:
        key = _ordered(pair.id_l, pair.id_r)
        known = existing.get(key)
        if known is None:
            new.append(
                DuplicateCandidate(
                    person_a_id=key[0],
                    person_b_id=key[1],
                    score=round(pair.probability, 4),
                    reasons=list(pair.reasons),
                    source=DuplicateCandidate.Source.SCAN,
                    scan=run,
                )
            )
            existing[key] = (None, DuplicateCandidate.Status.OPEN)
        elif known[1] == DuplicateCandidate.Status.OPEN and known[0] is not None:
            update.append(
                DuplicateCandidate(
                    pk=known[0],
                    score=round(pair.probability, 4),
                    reasons=list(pair.reasons),
                    scan=run,
                )
            )
    DuplicateCandidate.objects.bulk_create(new, batch_size=2000)
    DuplicateCandidate.objects.bulk_update(update, ["score", "reasons", "scan"], batch_size=2000)
    return len(new)


def candidates_from_entry_reports() -> int:
    """Open a candidate for each "the same person" a user reported while editing someone (the
    check at entry's choice, audited as dedup.entry_choice): a supervisor then merges them."""
    reports = AuditEvent.objects.filter(action=ENTRY_CHOICE_ACTION, after__choice="same")
    existing = {
        _ordered(a, b)
        for a, b in DuplicateCandidate.objects.filter(
            source=DuplicateCandidate.Source.ENTRY
        ).values_list("person_a_id", "person_b_id")
    }
    wanted: dict[tuple[str, str], float] = {}
    for target_id, recorded in reports.values_list("target_id", "after"):
        after: dict[str, Any] = recorded or {}
        other = after.get("person")
        if not other or other == target_id:
            continue
        key = _ordered(target_id, other)
        if key in existing:
            continue
        scores = [c.get("score", 0) for c in after.get("candidates", []) if c.get("id") == other]
        wanted[key] = max(scores, default=1.0)
    if not wanted:
        return 0
    live = set(
        str(pk)
        for pk in Person.objects.filter(
            pk__in={i for key in wanted for i in key}, merged_into__isnull=True
        ).values_list("pk", flat=True)
    )
    known = {
        _ordered(a, b)
        for a, b in DuplicateCandidate.objects.filter(
            person_a_id__in=live, person_b_id__in=live
        ).values_list("person_a_id", "person_b_id")
    }
    new = [
        DuplicateCandidate(
            person_a_id=a,
            person_b_id=b,
            score=score,
            reasons=["reported_same"],
            source=DuplicateCandidate.Source.ENTRY,
        )
        for (a, b), score in wanted.items()
        if a in live and b in live and (a, b) not in known
    ]
    DuplicateCandidate.objects.bulk_create(new)
    return len(new)


# ---------------------------------------------------------------------------------------------------
# Review decisions


def _decide(
    *, actor: User, candidate: DuplicateCandidate, status: str, note: str, action: str
) -> DuplicateCandidate:
    _require_reviewer(actor)
    if candidate.status in (DuplicateCandidate.Status.MERGED,):
        raise ApplicationError(_("These two records were already merged."))
    before = {"status": candidate.status}
    candidate.status, candidate.note = status, note
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.full_clean()
    candidate.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        target=candidate,
        before=before,
        after={
            "status": status,
            "people": [str(candidate.person_a_id), str(candidate.person_b_id)],
        },
        note=note,
    )
    return candidate


@transaction.atomic
def candidate_not_same(
    *, actor: User, candidate: DuplicateCandidate, note: str = ""
) -> DuplicateCandidate:
    """Mark a pair "not the same person": remembered, never proposed again."""
    return _decide(
        actor=actor,
        candidate=candidate,
        status=DuplicateCandidate.Status.NOT_SAME,
        note=note,
        action="dedup.not_same",
    )


@transaction.atomic
def candidate_confirm(
    *, actor: User, candidate: DuplicateCandidate, note: str = ""
) -> DuplicateCandidate:
    """Confirm that the pair is one person (the merge is a separate step: choose who stays)."""
    return _decide(
        actor=actor,
        candidate=candidate,
        status=DuplicateCandidate.Status.CONFIRMED,
        note=note,
        action="dedup.confirm",
    )


# ---------------------------------------------------------------------------------------------------
# Merging


def _own_models() -> set[type[models.Model]]:
    return {DuplicateCandidate, Merge}


def person_relations() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every (model, field) that points at a person, found through Django's relations: foreign keys
    and one-to-ones of every installed app, the through tables of many-to-manys included (their
    foreign keys are hidden relations, hence include_hidden)."""
    out: dict[str, tuple[type[models.Model], models.Field[Any, Any]]] = {}
    for rel in Person._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ManyToOneRel):  # OneToOneRel is one too; M2M via the through
            continue
        model = rel.related_model
        if not isinstance(model, type) or model in _own_models():
            continue
        field = rel.field
        out[_label(model, field)] = (model, field)
    return list(out.values())


def _label(model: type[models.Model], field: models.Field[Any, Any]) -> str:
    return f"{model._meta.label_lower}.{field.name}"


def _relation(label: str) -> tuple[type[models.Model], models.Field[Any, Any]]:
    app_model, field_name = label.rsplit(".", 1)
    model = apps.get_model(app_model)
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    return model, field


def _breaks_a_rule(row: models.Model) -> bool:
    try:
        row.validate_unique()
        row.validate_constraints()
    except ValidationError:
        return True
    return False


def _keep_with_merged(row: models.Model, label: str) -> dict[str, Any]:
    """A row that cannot move (it would break a unique rule): it stays with the merged person, and a
    current household membership is ended so that the household lists the survivor once."""
    entry: dict[str, Any] = {"relation": label, "id": str(row.pk), "action": "left"}
    if isinstance(row, Membership) and row.ended_on is None:
        ended = max(today(), row.started_on)
        Membership.objects.filter(pk=row.pk).update(ended_on=ended, updated_at=timezone.now())
        entry.update(
            action="ended", before={"ended_on": None}, after={"ended_on": ended.isoformat()}
        )
    return entry


def undo_days(person: Person) -> int:
    return int(person.programme.setting("merge_undo_days"))


@transaction.atomic
def person_merge(
    *,
    actor: User,
    survivor: Person,
    merged: Person,
    candidate: DuplicateCandidate | None = None,
    note: str = "",
) -> Merge:
    """Merge `merged` into `survivor`: every row pointing at `merged` moves to `survivor` (rows that
    would break a unique rule stay, recorded), `merged` becomes a redirect, the candidate is closed.
    Can be undone within the programme's `merge_undo_days`."""
    _require_reviewer(actor)
    if survivor.pk == merged.pk:
        raise ApplicationError(_("A person cannot be merged with themself."))
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    if any(p.merged_into_id for p in locked.values()):
        raise ApplicationError(_("One of these records was already merged into another."))
    if candidate is not None and candidate.status in (
        DuplicateCandidate.Status.MERGED,
        DuplicateCandidate.Status.NOT_SAME,
    ):
        raise ApplicationError(_("This pair was already decided."))
    moved: dict[str, list[str]] = {}
    kept: list[dict[str, Any]] = []
    households = set(
        Membership.objects.filter(person__in=[survivor, merged], ended_on__isnull=True).values_list(
            "household_id", flat=True
        )
    )
    for model, field in person_relations():
        label = _label(model, field)
        movable = []
        for row in model._default_manager.filter(**{field.attname: merged.pk}).order_by("pk"):
            setattr(row, field.attname, survivor.pk)
            if _breaks_a_rule(row):
                setattr(row, field.attname, merged.pk)
                kept.append(_keep_with_merged(row, label))
            else:
                movable.append(row.pk)
        if movable:
            model._default_manager.filter(pk__in=movable).update(**{field.attname: survivor.pk})
            moved[label] = [str(pk) for pk in movable]
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    if candidate is not None:
        candidate.status, candidate.decided_by, candidate.decided_at = (
            DuplicateCandidate.Status.MERGED,
            actor,
            timezone.now(),
        )
        candidate.note = note or candidate.note
        candidate.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
    merge = Merge(
        survivor=survivor,
        merged=merged,
        candidate=candidate,
        merged_by=actor,
        moved=moved,
        kept=kept,
        undo_until=timezone.now() + dt.timedelta(days=undo_days(survivor)),
    )
    merge.full_clean()
    merge.save(force_insert=True)
    _refresh_households(households)
    audit.record(
        actor=actor,
        action="dedup.merge",
        target=survivor,
        after={
            "merged": str(merged.pk),
            "merge": str(merge.pk),
            "moved": {label: len(ids) for label, ids in moved.items()},
            "kept": kept,
        },
        note=note,
    )
    return merge


def _refresh_households(ids: set[Any]) -> None:
    from oila.registry.models import Household

    for household in Household.objects.filter(pk__in=ids):
        household_refresh_search(household=household)


@transaction.atomic
def merge_undo(*, actor: User, merge: Merge, note: str = "") -> Merge:
    """Undo a merge within its window: the moved rows go back, ended memberships are current again,
    the merged person is a record of their own again and the pair is open for review."""
    _require_reviewer(actor)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ApplicationError(_("This merge was already undone."))
    if timezone.now() > merge.undo_until:
        raise ApplicationError(_("This merge can no longer be undone."))
    later = Merge.objects.filter(created_at__gt=merge.created_at, undone_at__isnull=True).filter(
        models.Q(survivor__in=[merge.survivor_id, merge.merged_id])
        | models.Q(merged__in=[merge.survivor_id, merge.merged_id])
    )
    if later.exists():
        raise ApplicationError(_("Undo the later merge of these people first."))
    households = set()
    for label, ids in merge.moved.items():
        model, field = _relation(label)
        rows = model._default_manager.filter(pk__in=ids, **{field.attname: merge.survivor_id})
        if model is Membership:
            households |= set(rows.values_list("household_id", flat=True))
        rows.update(**{field.attname: merge.merged_id})
    for entry in merge.kept:
        if entry.get("action") == "ended":
            Membership.objects.filter(pk=entry["id"]).update(
                ended_on=None, updated_at=timezone.now()
            )
            households |= set(
                Membership.objects.filter(pk=entry["id"]).values_list("household_id", flat=True)
            )
    Person.objects.filter(pk=merge.merged_id).update(merged_into=None, updated_at=timezone.now())
    if merge.candidate_id:
        DuplicateCandidate.objects.filter(pk=merge.candidate_id).update(
            status=DuplicateCandidate.Status.OPEN, updated_at=timezone.now()
        )
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    households |= set(
        Membership.objects.filter(
            person__in=[merge.survivor_id, merge.merged_id], ended_on__isnull=True
        ).values_list("household_id", flat=True)
    )
    _refresh_households(households)
    audit.record(
        actor=actor,
        action="dedup.merge_undo",
        target=merge.survivor,
        after={"merged": str(merge.merged_id), "merge": str(merge.pk)},
        note=note,
    )
    return merge
