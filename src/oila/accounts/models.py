"""Users, organisations (agencies), programmes, teams and roles: who belongs where."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from oila.common.messages import render_message
from oila.common.models import BaseModel
from oila.geo.models import District

# Programme settings and their defaults (DOMAIN.md marks these as defaults, so they are configurable).
PROGRAMME_DEFAULTS: dict[str, Any] = {
    # Caseworkers see only the households assigned to them unless the programme lets them see their team's.
    "caseworkers_see_team": False,
    # Case numbers read <prefix>-<year>-<5 digits>, e.g. KHR-2026-00042.
    "case_number_prefix": "KHR",
    "small_cell_threshold": 5,
    # Initial assessment due this many hours after identification, by risk level (DOMAIN.md §2:
    # within 24 h, no later than 48 h for urgent cases; default high 24 h, medium 72 h, low 7 days).
    "response_hours": {"high": 24, "medium": 72, "low": 168},
    # CSI reassessment at most every 6 months (DOMAIN.md §3, OSCaR's default).
    "csi_reassessment_months": 6,
    # Every formal care placement reviewed every 3 months (DOMAIN.md §4, CRC art. 25).
    "placement_review_months": 3,
    "consent_age_bands": {"caregiver_only_until": 5, "assent_until": 14},
    # Days during which a supervisor may undo a merge of two people's records (oila.dedup).
    "merge_undo_days": 30,
    # The following are configurable defaults of this project, not taken from a standard.
    # Days between visits (home, office or school; a phone call does not count), by risk level.
    "visit_interval_days": {"high": 7, "medium": 14, "low": 30},
    # Days from the (first) assessment to an agreed case plan.
    "plan_due_days": 14,
    # Whether a supervisor may approve their own work (a closure they requested). DOMAIN.md §2: not
    # unless a setting allows it.
    "allow_self_approval": False,
    # Referrals (oila.support): days a partner agency has to answer, by urgency, and the only
    # fields of the referred person or household that the agency sees (minimum necessary).
    "referral_response_days": {"high": 1, "normal": 7, "low": 14},
    "referral_shared_fields": [
        "given_name",
        "family_name",
        "sex",
        "age",
        "district",
        "mahalla",
        "phone",
        "service",
        "urgency",
        "reason",
    ],
    # Months after a young person's job placement starts at which a follow-up asks whether they
    # are still working (oila.youth).
    "youth_follow_up_months": [3, 6, 12],
    # Break-the-glass (ADR 0017): hours an emergency access to an out-of-scope record lasts.
    "break_glass_hours": 4,
    # Years after a household's last case closed before its people and cases are anonymised
    # (oila.privacy; GDPR art. 5(1)(e) storage limitation). A default of this project.
    "anonymise_after_years": 5,
}


class Organisation(BaseModel):
    class Type(models.TextChoices):
        PROGRAMME_NGO = "programme_ngo", _("the programme's own NGO")
        GUARDIANSHIP = "guardianship", _("government guardianship authority")
        SCHOOL = "school", _("school")
        HEALTH = "health", _("health centre")
        MAHALLA = "mahalla", _("mahalla committee")
        NGO = "ngo", _("NGO")
        EMPLOYER = "employer", _("employer")
        TRAINING = "training", _("training centre")

    name = models.CharField(_("name"), max_length=200, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("district")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Programme(BaseModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("run by")
    )
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    districts = models.ManyToManyField(District, blank=True, verbose_name=_("districts"))
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    # The public programme page (oila.public): off until a manager publishes it.
    published = models.BooleanField(
        _("public page published"),
        default=False,
        help_text=_("Show the programme's public page, with anonymised figures, to everyone."),
    )
    public_description = models.TextField(
        _("public description"),
        blank=True,
        help_text=_("What the public page says about the programme; no one's personal data."),
    )
    # Bumped in the same transaction as every write that changes a published figure or the
    # gallery (enrolments, consents, people, photos): the public page's cache key includes it, so
    # every web process sees a change at once, without a shared cache.
    public_version = models.PositiveIntegerField(
        _("public data version"), default=0, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def setting(self, key: str) -> Any:
        """A programme setting, or its documented default."""
        return (self.settings or {}).get(key, PROGRAMME_DEFAULTS[key])


class Team(BaseModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="teams", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=120)
    districts = models.ManyToManyField(District, blank=True, verbose_name=_("districts"))

    class Meta:
        ordering = ["programme__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("caseworker")
    SUPERVISOR = "supervisor", _("supervisor")
    MANAGER = "manager", _("programme manager")
    ME_OFFICER = "me_officer", _("M&E officer")
    PARTNER = "partner", _("partner focal point")
    DPO = "dpo", _("data protection officer")
    ADMIN = "admin", _("administrator")


class OilaUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A person who signs in. Role, organisation, team and programmes decide what they see."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
        help_text=_("Caseworkers work in a team; supervisors supervise the team they are in."),
    )
    programmes = models.ManyToManyField(
        Programme,
        blank=True,
        related_name="users",
        verbose_name=_("programmes"),
        help_text=_("The programmes a manager, M&E officer or data protection officer works on."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    # When the user's last break-the-glass grant ends (ADR 0025): set by the only service that makes
    # grants, in the grant's transaction. Before then the visibility rule asks which records the
    # live grants open; after it, or when empty, it need not ask.
    break_glass_until = models.DateTimeField(
        _("emergency access until"), null=True, blank=True, editable=False
    )

    objects = OilaUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class Notification(BaseModel):
    """A message in a user's inbox (and by email where configured): approvals, deadlines, changes.

    Like case timeline lines, the text is an English msgid plus parameters, translated when shown.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return render_message(self.message, self.params)
