"""Cases (family and child-protection), their timeline, visits and notes (DOMAIN.md §2)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation
from oila.common.crypto import EncryptedTextField
from oila.common.messages import render_message
from oila.common.models import BaseModel
from oila.registry.models import CareArrangement, Household, Owned, Person


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
    # What the deadlines are computed from (kept by the services).
    last_assessed_on = models.DateField(_("last assessed on"), null=True, blank=True)
    plan_approved_on = models.DateField(_("plan approved on"), null=True, blank=True)
    last_visit_on = models.DateField(_("last visit on"), null=True, blank=True)
    # A pending closure: who asked (a supervisor may not approve their own request) and whether the
    # plan's goals were all met according to the checklist.
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closure requested by"),
    )
    closure_requested_on = models.DateField(_("closure requested on"), null=True, blank=True)
    closure_goals_met = models.BooleanField(_("all plan goals met"), default=False)

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
            models.Index(fields=["programme", "status"], name="case_programme_status_idx"),
            # "What is due": the most urgent deadlines of each kind among open cases, in order
            # (cases.selectors.due_overview / due_list: ORDER BY the deadline LIMIT n).
            *(
                models.Index(
                    fields=[column, "number"],
                    name=f"case_{column.removesuffix('_at').removesuffix('_on')}_idx",
                    condition=models.Q(status__in=["open", "closure_requested"]),
                )
                for column in (
                    "assessment_due_at",
                    "plan_due_on",
                    "visit_due_on",
                    "reassessment_due_on",
                )
            ),
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
        return render_message(self.message, shown_params(self.params))


OPEN_STATUSES = (Case.Status.OPEN, Case.Status.CLOSURE_REQUESTED)


class CaseNumberCounter(BaseModel):
    """The last case number given for a prefix and a year (KHR-2026-00042).

    Keyed by prefix rather than programme because case numbers are unique across the installation:
    two programmes sharing a prefix share its sequence.

    The row is locked (select_for_update) while a number is taken, so two caseworkers opening cases
    at the same moment never get the same number; the unique constraint catches the first-of-the-year
    race where both try to create the row.
    """

    prefix = models.CharField(_("prefix"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_counter_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Visit(BaseModel):
    """A home visit, office meeting, phone call or school visit, with its note (encrypted)."""

    class Kind(models.TextChoices):
        HOME = "home", _("home visit")
        OFFICE = "office", _("office")
        PHONE = "phone", _("phone")
        SCHOOL = "school", _("school")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="visits", verbose_name=_("case")
    )
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.HOME)
    participants = models.CharField(
        _("participants"),
        max_length=300,
        blank=True,
        help_text=_("Who took part, e.g. mother, Shahnoza, class teacher."),
    )
    narrative = EncryptedTextField(_("what happened"))
    next_steps = EncryptedTextField(_("next steps"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-on", "-created_at"]
        verbose_name = _("visit or note")
        verbose_name_plural = _("visits and notes")
        indexes = [models.Index(fields=["case", "on"], name="visit_case_on_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"

    @property
    def counts_as_visit(self) -> bool:
        """A phone call is contact, not a visit: it does not reset the visit deadline."""
        return self.kind != self.Kind.PHONE


class GatekeepingDecision(BaseModel):
    """Whether a child needs formal care at all (necessity) and whether a placement fits (suitability).

    UN Guidelines for the Alternative Care of Children (2009), paras. 14-15 and 57-58: every
    decision on a placement is preceded by an assessment of the alternatives; prevented placements
    and family support instead are the evidence the programme's advocacy needs (DOMAIN.md §4).
    """

    class Decision(models.TextChoices):
        PLACEMENT_MADE = "placement_made", _("placement made")
        PLACEMENT_PREVENTED = "placement_prevented", _("placement prevented")
        FAMILY_SUPPORT = "family_support", _("family support instead")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="gatekeeping", verbose_name=_("case")
    )
    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="gatekeeping", verbose_name=_("child")
    )
    proposed_care = models.CharField(
        _("formal care considered"), max_length=20, choices=CareArrangement.Type.choices
    )
    necessity = EncryptedTextField(
        _("necessity"), help_text=_("Why formal care is, or is not, needed at all.")
    )
    suitability = EncryptedTextField(
        _("suitability"), blank=True, help_text=_("Whether the placement fits this child.")
    )
    alternatives_considered = models.JSONField(
        _("alternatives considered"), default=list, blank=True
    )
    alternatives_note = EncryptedTextField(_("notes on the alternatives"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    placement = models.OneToOneField(
        CareArrangement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gatekeeping",
        verbose_name=_("placement"),
    )

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        verbose_name = _("gatekeeping decision")
        verbose_name_plural = _("gatekeeping decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="placement_made", placement__isnull=False)
                | (~Q(decision="placement_made") & Q(placement__isnull=True)),
                name="gatekeeping_placement_iff_made",
            )
        ]
        indexes = [models.Index(fields=["decision", "decided_on"], name="gatekeeping_report_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.decided_on}"


# Timeline and notification parameters that hold a code of a choice list are shown as the choice's
# label, in the reader's language (the code is what is stored).
CHOICE_PARAMS: dict[str, type[models.Choices]] = {
    "risk_level": Case.Risk,
    "closure_reason": Case.ClosureReason,
    "step": Case.Step,
    "visit_kind": Visit.Kind,
    "decision": GatekeepingDecision.Decision,
    "care_type": CareArrangement.Type,
    "care_from": CareArrangement.Type,
    "care_to": CareArrangement.Type,
}


def shown_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Parameters for display: codes of choices become their translated labels."""
    shown = dict(params or {})
    for key, choices in CHOICE_PARAMS.items():
        if key in shown:
            with contextlib.suppress(ValueError):
                shown[key] = str(choices(shown[key]).label)
    return shown
