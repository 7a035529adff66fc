"""Youth employability: training enrolments, job placements and their follow-ups (DOMAIN.md §1, §6).

Young people (15–24) are registry people enrolled in the programme's "youth" group; they are seen
through the person's owner fields, like every other record about a person (ADR 0005, ADR 0014).
The tables are shaped for the results framework's aggregates: "young people in work 6 months after
placement" is a count of `FollowUp` rows with `month=6`, `still_working=True`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, Programme
from oila.common.crypto import EncryptedTextField
from oila.common.models import BaseModel
from oila.registry.models import Person

NEGATIVE_WAGE = _("A monthly wage cannot be below zero.")
wage_validator = MinValueValidator(0, message=NEGATIVE_WAGE)


class YouthTraining(BaseModel):
    """A young person's vocational or life-skills course with a training provider."""

    class Kind(models.TextChoices):
        VOCATIONAL = "vocational", _("vocational training")
        LIFE_SKILLS = "life_skills", _("life skills")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="youth_trainings", verbose_name=_("person")
    )
    kind = models.CharField(_("kind of training"), max_length=12, choices=Kind.choices)
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("training provider"),
    )
    course = models.CharField(_("course"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    completed = models.BooleanField(_("completed"), default=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-starts_on", "course"]
        verbose_name = _("youth training")
        verbose_name_plural = _("youth trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="youth_training_dates_in_order",
            ),
            models.CheckConstraint(
                condition=(Q(completed=True) & Q(completed_on__gte=models.F("starts_on")))
                | (Q(completed=False) & Q(completed_on__isnull=True)),
                name="youth_training_completion_dated",
            ),
            models.CheckConstraint(
                condition=Q(certificate_issued_on__isnull=True) | Q(completed=True),
                name="youth_training_certificate_when_completed",
            ),
        ]
        indexes = [models.Index(fields=["programme", "starts_on"], name="youth_training_idx")]

    def __str__(self) -> str:
        return self.course

    def get_absolute_url(self) -> str:
        return reverse("youth:person", args=[self.person_id])


class Placement(BaseModel):
    """A job (with an employer) or self-employment that a young person started."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("employment")
        SELF_EMPLOYMENT = "self_employment", _("self-employment")

    class Contract(models.TextChoices):
        PERMANENT = "permanent", _("permanent contract")
        FIXED_TERM = "fixed_term", _("fixed-term contract")
        SEASONAL = "seasonal", _("seasonal work")
        INFORMAL = "informal", _("informal, no written contract")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="job_placements", verbose_name=_("person")
    )
    kind = models.CharField(_("kind of work"), max_length=16, choices=Kind.choices)
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("employer"),
    )
    training = models.ForeignKey(
        YouthTraining,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("after the training"),
    )
    position = models.CharField(
        _("position or activity"),
        max_length=200,
        help_text=_("The job title, or the business of a self-employed young person."),
    )
    starts_on = models.DateField(_("start date"))
    contract_type = models.CharField(
        _("contract type"), max_length=12, choices=Contract.choices, blank=True
    )
    monthly_wage_uzs = models.BigIntegerField(
        _("monthly wage (UZS)"),
        null=True,
        blank=True,
        validators=[wage_validator],
        help_text=_("Net monthly pay, or the monthly income of self-employment."),
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("job placement")
        verbose_name_plural = _("job placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_wage_uzs__isnull=True) | Q(monthly_wage_uzs__gte=0),
                name="placement_wage_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="employment") | Q(employer__isnull=False),
                name="placement_employment_has_employer",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="placement_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["programme", "starts_on"], name="placement_idx")]

    def __str__(self) -> str:
        return self.position

    def get_absolute_url(self) -> str:
        return reverse("youth:person", args=[self.person_id])

    @property
    def where(self) -> str:
        """The employer's name, or "self-employed"."""
        return self.employer.name if self.employer_id else str(_("self-employed"))


class FollowUp(BaseModel):
    """A check, N months after a placement started, whether the young person is still working.

    The rows are made when the placement is recorded (months from the programme's
    `youth_follow_up_months`), so what is due is one indexed query and the outcome indicators are
    plain aggregates.
    """

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("placement")
    )
    month = models.PositiveSmallIntegerField(_("months after the start"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    still_working = models.BooleanField(_("still working"), null=True, blank=True)
    monthly_wage_uzs = models.BigIntegerField(
        _("current monthly wage (UZS)"), null=True, blank=True, validators=[wage_validator]
    )
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["due_on", "month"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["placement", "month"], name="follow_up_one_per_month"),
            models.CheckConstraint(
                condition=(Q(done_on__isnull=True) & Q(still_working__isnull=True))
                | (Q(done_on__isnull=False) & Q(still_working__isnull=False)),
                name="follow_up_done_has_answer",
            ),
            models.CheckConstraint(
                condition=Q(monthly_wage_uzs__isnull=True) | Q(monthly_wage_uzs__gte=0),
                name="follow_up_wage_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["done_on", "due_on"], name="follow_up_due_idx")]

    def __str__(self) -> str:
        return str(_("%(month)s-month follow-up") % {"month": self.month})

    @property
    def is_done(self) -> bool:
        return self.done_on is not None
