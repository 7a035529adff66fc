"""Family development plans and case plans: versions, goals tied to assessment factors, actions.

A plan is edited only while it is a draft. Editing a plan that was decided (approved or not) makes
a new draft version with copies of its goals and actions; when that version is approved, the one it
replaces becomes superseded. Goal and action statuses move on an approved plan as the work is done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation
from oila.assessments.models import Item
from oila.cases.models import Case
from oila.common.crypto import EncryptedTextField
from oila.common.models import BaseModel
from oila.registry.models import Person


class Plan(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("not approved")
        SUPERSEDED = "superseded", _("replaced by a later version")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED)

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="plans", verbose_name=_("case")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    review_on = models.DateField(_("review on"), help_text=_("When the plan is next reviewed."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = EncryptedTextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["case", "-version"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_unique_version"),
            # One version at a time is being written or waiting for a decision.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["draft", "submitted"]),
                name="plan_one_open_version",
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="plan_status_idx")]

    def __str__(self) -> str:
        return f"{self.case.number} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("plans:plan", args=[self.case_id]) + f"?version={self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Goal(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MET = "met", _("met")
        NOT_MET = "not_met", _("not met")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("goal"), max_length=500)
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessment factor"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for"),
        help_text=_("Empty when the goal is the whole family's."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )

    class Meta:
        ordering = ["plan", "order", "created_at"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text


class Action(BaseModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal")
    )
    description = models.CharField(_("action"), max_length=500)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("staff member responsible"),
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("partner agency responsible"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        ordering = ["goal", "due_on", "created_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(responsible_user__isnull=False, responsible_organisation__isnull=True)
                | Q(responsible_user__isnull=True, responsible_organisation__isnull=False),
                name="action_one_responsible",
                violation_error_message=_(
                    "Choose who is responsible: a staff member or a partner agency, not both."
                ),
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="action_due_idx")]

    def __str__(self) -> str:
        return self.description

    @property
    def responsible(self) -> object:
        return self.responsible_user or self.responsible_organisation
