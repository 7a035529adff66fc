"""A programme's results framework: outcomes, outputs, indicators (defined as data) and targets.

An indicator's `definition` is data the M&E officer edits in the app, read by `results.engine`
(ADR 0016): what to count (distinct people, households or records) over which source, under which
conditions, and — for a percentage — over which denominator. `results.definitions` checks it
against a whitelist of sources and fields before it is saved.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Programme
from oila.common.models import BaseModel


class Outcome(BaseModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("programme")
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("A short reference used in reports, e.g. OC1.")
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("The change the programme expects, in one sentence."),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Outcomes are listed by this number.")
    )

    class Meta:
        ordering = ["programme", "order", "code"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="outcome_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("results:framework", args=[self.programme.slug])


class Output(BaseModel):
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="outputs", verbose_name=_("outcome")
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("A short reference used in reports, e.g. OP1.1.")
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("What the programme delivers towards the outcome.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["outcome", "order", "code"]
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "code"], name="output_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("results:framework", args=[self.outcome.programme.slug])


class Indicator(BaseModel):
    class Unit(models.TextChoices):
        COUNT = "count", _("count")
        PERCENTAGE = "percentage", _("percentage")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("programme")
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("outcome")
    )
    output = models.ForeignKey(
        Output,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("output"),
        help_text=_("Leave empty for an indicator that measures the outcome itself."),
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. IND1.1"))
    name = models.CharField(_("name"), max_length=300)
    definition_text = models.TextField(
        _("definition"),
        blank=True,
        help_text=_("How the indicator is defined, in words, for the donor report."),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    definition = models.JSONField(
        _("computation"),
        default=dict,
        help_text=_(
            "What the engine counts: source, subject, conditions (see the help on the form)."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="indicator_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("results:indicator", args=[self.programme.slug, self.pk])

    @property
    def is_percentage(self) -> bool:
        return self.unit == self.Unit.PERCENTAGE

    def clean(self) -> None:
        """Refuse what the engine could not compute (results.definitions), with the reasons."""
        from oila.results.definitions import DefinitionError, validate_definition

        errors: dict[str, list[Any]] = {}
        if self.outcome_id and self.programme_id and self.outcome.programme_id != self.programme_id:
            errors["outcome"] = [_("This outcome belongs to another programme.")]
        if self.output_id and self.output.outcome_id != self.outcome_id:
            errors["output"] = [_("This output is not under the chosen outcome.")]
        try:
            validate_definition(self.definition, unit=self.unit)
        except DefinitionError as exc:
            errors["definition"] = list(exc.messages)
        if errors:
            raise ValidationError(errors)


class Target(BaseModel):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1 to 4 for a quarterly target; empty for the whole year."),
    )
    value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", "year", "quarter"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"], name="target_unique_quarter"
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(quarter__isnull=True),
                name="target_unique_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}" if self.quarter else str(self.year)

    def get_absolute_url(self) -> str:
        return self.indicator.get_absolute_url()
