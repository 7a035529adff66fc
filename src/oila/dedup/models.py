"""Duplicate candidates for review, scan runs and merges (ADR 0008)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oila.common.models import BaseModel
from oila.registry.models import Person


class ScanRun(BaseModel):
    """One whole-registry scan: the model it trained and what it found."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RUNNING
    )
    threshold = models.FloatField(_("threshold"))
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    model_file = models.CharField(_("model file"), max_length=300, blank=True)
    people = models.PositiveIntegerField(_("people compared"), default=0)
    pairs = models.PositiveIntegerField(_("pairs above the threshold"), default=0)
    candidates_new = models.PositiveIntegerField(_("new candidates"), default=0)
    not_comparable = models.JSONField(
        _("records that could not be compared"), default=list, blank=True
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("duplicate scan")
        verbose_name_plural = _("duplicate scans")


class DuplicateCandidate(BaseModel):
    """Two people who may be one, waiting for a supervisor's decision. One row per pair, ever: a pair
    marked "not the same person" is remembered and never proposed again."""

    class Status(models.TextChoices):
        OPEN = "open", _("to review")
        CONFIRMED = "confirmed", _("confirmed: the same person")
        NOT_SAME = "not_same", _("not the same person")
        MERGED = "merged", _("merged")

    class Source(models.TextChoices):
        SCAN = "scan", _("registry scan")
        ENTRY = "entry", _("reported at entry")

    # person_a's id sorts before person_b's, so a pair has one row whichever way it was found.
    person_a = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    person_b = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("other person")
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    source = models.CharField(_("found by"), max_length=6, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    scan = models.ForeignKey(
        ScanRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-score", "created_at"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="dedup_one_row_per_pair"),
            models.CheckConstraint(condition=~Q(person_a=F("person_b")), name="dedup_two_people"),
        ]


class Merge(BaseModel):
    """A merge of `merged` into `survivor`, with every row it moved, so that it can be undone."""

    survivor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept")
    )
    merged = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged into the other")
    )
    candidate = models.ForeignKey(
        DuplicateCandidate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merges",
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # {"app_label.model.field": [row ids]}: the rows whose `field` now points at the survivor.
    moved = models.JSONField(default=dict, blank=True)
    # Rows left with the merged person because moving them would break a rule (e.g. both were current
    # members of one household), with what was done to them: [{"relation", "id", "action", "before"}].
    kept = models.JSONField(default=list, blank=True)
    undo_until = models.DateTimeField(_("can be undone until"))
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
