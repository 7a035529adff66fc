"""Capacity building of specialists: training events, attendance, pre- and post-test scores and
certificates (DOMAIN.md §1, outcome 3).

Specialists are professionals of partner agencies: registry people enrolled in the programme's
"specialist" group, with no household and no case. They are contacts, not beneficiaries' case
records, so training data has its own visibility (ADR 0014): the programme's caseworkers,
supervisors and managers see and edit it; other roles get a 404.

Scores are percentages (0–100), so "specialists trained with a post-test score of at least 70 %" is
one aggregate over `TrainingParticipation` (attended, post_score >= 70).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, Programme
from oila.common.models import BaseModel
from oila.registry.models import Person

SCORE_RANGE = _("A score is a percentage from 0 to 100.")
score_validators = [
    MinValueValidator(0, message=SCORE_RANGE),
    MaxValueValidator(100, message=SCORE_RANGE),
]


class Specialist(BaseModel):
    """Where a trained professional works: the agency and their position there."""

    person = models.OneToOneField(
        Person,
        on_delete=models.PROTECT,
        related_name="specialist_profile",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("works for")
    )
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        ordering = ["person__family_name", "person__given_name"]
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")

    def __str__(self) -> str:
        return self.person.full_name


class TrainingEvent(BaseModel):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="training_events",
        verbose_name=_("programme"),
    )
    topic = models.CharField(_("topic"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trainer (a staff member)"),
    )
    trainer_name = models.CharField(
        _("trainer"),
        max_length=200,
        blank=True,
        help_text=_("The trainer's name, when the trainer is not a user of oila."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-starts_on", "topic"]
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="training_event_dates_in_order",
            )
        ]
        indexes = [models.Index(fields=["programme", "starts_on"], name="training_event_idx")]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("training:event", args=[self.pk])

    @property
    def trainer_display(self) -> str:
        return self.trainer.display_name if self.trainer_id else self.trainer_name


class TrainingParticipation(BaseModel):
    """A specialist invited to an event: whether they attended, their test scores, certificate."""

    event = models.ForeignKey(
        TrainingEvent,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("training event"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="training_participations",
        verbose_name=_("specialist"),
    )
    attended = models.BooleanField(_("attended"), default=False)
    pre_score = models.PositiveSmallIntegerField(
        _("pre-test score (%)"), null=True, blank=True, validators=score_validators
    )
    post_score = models.PositiveSmallIntegerField(
        _("post-test score (%)"), null=True, blank=True, validators=score_validators
    )
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)

    class Meta:
        ordering = ["person__family_name", "person__given_name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="participation_once"),
            models.CheckConstraint(
                condition=(Q(pre_score__isnull=True) | Q(pre_score__lte=100))
                & (Q(post_score__isnull=True) | Q(post_score__lte=100)),
                name="participation_scores_are_percentages",
            ),
            models.CheckConstraint(
                condition=Q(attended=True)
                | (
                    Q(pre_score__isnull=True)
                    & Q(post_score__isnull=True)
                    & Q(certificate_issued_on__isnull=True)
                ),
                name="participation_results_need_attendance",
            ),
        ]
        indexes = [models.Index(fields=["attended", "post_score"], name="participation_score_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.event}"
