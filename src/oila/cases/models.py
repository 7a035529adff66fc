"""Cases (family and child-protection), their timeline, visits and notes (DOMAIN.md §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation
from oila.common.crypto import EncryptedTextField
from oila.common.models import BaseModel
from oila.registry.models import Household, Owned, Person


class Case(Owned):
    """A family case (a household) or a child-protection case (one child).

    Owner fields (programme, team, caseworker) come from registry.Owned, so the registry's one
    visibility rule (registry.visibility.owned_scope) applies to cases unchanged.
    """

    class Kind(models.TextChoices):
        FAMILY = "family", _("family case")
        CHILD = "child", _("child-protection case")

    class Risk(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSURE_REQUESTED = "closure_requested", _("closure requested")
        CLOSED = "closed", _("closed")
        TRANSFERRED = "transferred", _("transferred")

    class Step(models.IntegerChoices):
        # Inter-agency Guidelines for Case Management & Child Protection (2014): six steps.
        IDENTIFICATION = 1, _("identification and registration")
        ASSESSMENT = 2, _("assessment")
        PLANNING = 3, _("case planning")
        IMPLEMENTATION = 4, _("implementing the case plan")
        FOLLOW_UP = 5, _("follow-up and review")
        CLOSURE = 6, _("case closure")

    class ClosureReason(models.TextChoices):
        MOVED_IN_COUNTRY = "moved_in_country", _("moved outside the target area (in country)")
        MOVED_ABROAD = "moved_abroad", _("moved outside the target area (abroad)")
        REFUSED = "refused", _("refused service")
        CRITERIA = "criteria", _("does not or no longer meets the criteria")
        DIED = "died", _("died")
        GOALS_MET = "goals_met", _("no longer requires support (goals met)")
        MISSING = "missing", _("missing")
        NO_RESOURCES = "no_resources", _("agency lacks resources")
        RAN_AWAY = "ran_away", _("ran away")
        TRANSFERRED = "transferred", _("transferred to another organisation")
        OTHER = "other", _("other")

    number = models.CharField(_("case number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="cases", verbose_name=_("household")
    )
    subject = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("child"),
        help_text=_("The child a child-protection case is about; empty for a family case."),
    )
    risk = models.CharField(_("risk level"), max_length=6, choices=Risk.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    step = models.PositiveSmallIntegerField(
        _("current step"), choices=Step.choices, default=Step.IDENTIFICATION
    )
    identified_at = models.DateTimeField(_("identified at"))
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = EncryptedTextField(_("closure note"), blank=True)
    transferred_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred to"),
    )
    # Deadlines, kept current by the case services (see cases.deadlines) so that "what is due"
    # for a caseworker or a whole team is one indexed query.
    assessment_due_at = models.DateTimeField(_("initial assessment due"), null=True, blank=True)
    plan_due_on = models.DateField(_("plan due"), null=True, blank=True)
    visit_due_on = models.DateField(_("next visit due"), null=True, blank=True)
    reassessment_due_on = models.DateField(_("CSI reassessment due"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="family", subject__isnull=True)
                | Q(kind="child", subject__isnull=False),
                name="case_subject_matches_kind",
            )
        ]
        indexes = [
            models.Index(fields=["caseworker", "status"], name="case_worker_status_idx"),
            models.Index(fields=["team", "status"], name="case_team_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.CLOSURE_REQUESTED)


class CaseEvent(BaseModel):
    """One line of a case's timeline: what happened, when and who did it.

    Written by the services of every app that acts on a case (cases, assessments, plans, support…)
    through cases.services.case_event_add, in the same transaction as the change itself.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    # The timeline text is stored as its English message id (marked with gettext_noop where it is
    # written) plus parameters, and translated when shown: each reader sees their own language.
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    @property
    def summary(self) -> str:
        text = gettext(self.message)
        try:
            return text % self.params if self.params else text
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
            return self.message % self.params if self.params else self.message
