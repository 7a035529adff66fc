"""Assessment instruments as data (versioned, with items, scales and guidance), assessments and scores.

An instrument's texts (names, item labels, goals, guidance per score) are stored in every interface
language as a JSON object keyed by language code ("en", "uz", "uz-cyrl", "ru"); `pick` below shows the
active language's. Definitions ship as JSON files under assessments/data/ (see assessments.definitions).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oila.common.crypto import EncryptedTextField
from oila.common.models import BaseModel

LANGUAGES = ("en", "uz", "uz-cyrl", "ru")


def pick(texts: Any, language: str | None = None) -> str:
    """The text in the given (or active) language, falling back to English, then Uzbek Latin."""
    if not isinstance(texts, dict):
        return str(texts or "")
    lang = (language or get_language() or "en").lower()
    for key in (lang, lang.split("-")[0], "en", "uz"):
        if texts.get(key):
            return str(texts[key])
    return next((str(v) for v in texts.values() if v), "")


class Instrument(BaseModel):
    """One version of an assessment tool (the CSI, the family economic assessment, …)."""

    class AppliesTo(models.TextChoices):
        CHILD = "child", _("a child")
        HOUSEHOLD = "household", _("a household")
        YOUTH = "youth", _("a young person")

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"))
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=12,
        help_text=_("A short name the same in every language, e.g. CSI."),
    )
    names = models.JSONField(_("name"), default=dict)
    descriptions = models.JSONField(_("description"), default=dict, blank=True)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices)
    goal_at_or_below = models.PositiveSmallIntegerField(
        _("suggest a goal at or below"),
        default=2,
        help_text=_("A plan goal is suggested for every item scored at or below this value."),
    )
    active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("Only versions in use are offered for new assessments."),
    )

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def name(self) -> str:
        return pick(self.names)

    @property
    def description(self) -> str:
        return pick(self.descriptions)

    @property
    def is_csi(self) -> bool:
        return self.code == "csi"


class Item(BaseModel):
    """One factor or question of an instrument, e.g. the CSI's 1A Food security."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="items", verbose_name=_("instrument")
    )
    code = models.CharField(_("code"), max_length=12)
    order = models.PositiveSmallIntegerField(_("order"))
    domains = models.JSONField(_("domain"), default=dict, blank=True)
    labels = models.JSONField(_("label"), default=dict)
    goals = models.JSONField(
        _("goal"), default=dict, help_text=_("The goal a plan sets when this item scores low.")
    )

    class Meta:
        ordering = ["instrument", "order"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return pick(self.labels)

    @property
    def domain(self) -> str:
        return pick(self.domains)

    @property
    def goal(self) -> str:
        return pick(self.goals)


class ScaleLevel(BaseModel):
    """One score an item can take, with its label and what it looks like (guidance for the assessor)."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="levels", verbose_name=_("item")
    )
    value = models.PositiveSmallIntegerField(_("value"))
    labels = models.JSONField(_("label"), default=dict)
    guidances = models.JSONField(_("guidance"), default=dict, blank=True)

    class Meta:
        ordering = ["item", "-value"]
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        constraints = [
            models.UniqueConstraint(fields=["item", "value"], name="scale_level_unique_value")
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"

    @property
    def label(self) -> str:
        return pick(self.labels)

    @property
    def guidance(self) -> str:
        return pick(self.guidances)


class Assessment(BaseModel):
    """An instrument applied to a case's child, young person or household on a date."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("case")
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("instrument"),
    )
    subject = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("person assessed"),
        help_text=_("Empty when the instrument assesses the household."),
    )
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor"),
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    early_reason = EncryptedTextField(
        _("reason for reassessing early"),
        blank=True,
        help_text=_("Why a supervisor allowed a CSI before the reassessment interval had passed."),
    )

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(fields=["case", "assessed_on"], name="assessment_case_date_idx"),
            models.Index(fields=["subject", "assessed_on"], name="assessment_subject_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.abbreviation} {self.assessed_on}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment", args=[self.case_id, self.pk])


class Score(BaseModel):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="scores", verbose_name=_("item")
    )
    value = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["item__order"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="score_unique_item"),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.value}"
