"""Services the programme delivers (itself or through partners) and referrals to partner agencies.

- `ServiceType`: a programme's catalogue, names in every language (data, not gettext: each programme
  configures its own, like the assessment instruments of ADR 0011).
- `OrganisationService`: which agencies offer which service types (a referral goes only to one that
  does).
- `ServiceDelivery` with its `DeliveryAttendance` rows: an individual session (one attendee) or a group
  session (an attendance list).
- `Referral`: to a partner agency, for a person or a household of a case, with the consent it relied on
  (or an audited override) and the agency's answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, Programme
from oila.assessments.models import pick
from oila.cases.models import Case
from oila.common.crypto import EncryptedTextField
from oila.common.dates import today
from oila.common.models import BaseModel
from oila.plans.models import Action
from oila.registry.models import Consent, Household, Owned, Person

NAME_LANGUAGES = ("en", "uz", "uz-cyrl", "ru")


class ServiceType(BaseModel):
    class Category(models.TextChoices):
        PSYCHOSOCIAL = "psychosocial", _("psycho-social support")
        EDUCATION = "education", _("educational support")
        HEALTH = "health", _("health")
        LEGAL = "legal", _("legal aid")
        ECONOMIC = "economic", _("economic strengthening")
        PARENTING = "parenting", _("parenting skills")
        DAY_CARE = "day_care", _("day care")
        OTHER = "other", _("other")

    class Unit(models.TextChoices):
        SESSION = "session", _("sessions")
        HOURS = "hours", _("hours")
        ITEMS = "items", _("items")
        UZS = "uzs", _("UZS")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="service_types",
        verbose_name=_("programme"),
    )
    code = models.SlugField(_("code"), max_length=40)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    names = models.JSONField(
        _("names"),
        default=dict,
        help_text=_("The name in every language: en, uz (Latin), uz-cyrl and ru."),
    )
    is_group_capable = models.BooleanField(_("can be delivered to a group"), default=False)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.SESSION)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(
        _("offered"), default=True, help_text=_("No longer offered: kept for the records only.")
    )

    class Meta:
        ordering = ["programme", "order", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="service_type_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (English, then Uzbek Latin, when it has none)."""
        return pick(self.names) or self.code

    def name_in(self, language: str) -> str:
        return pick(self.names, language) or self.code


class OrganisationService(BaseModel):
    """An agency offers a service type (a referral can be sent to it for that service)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="services_offered",
        verbose_name=_("organisation"),
    )
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.CASCADE,
        related_name="offered_by",
        verbose_name=_("service type"),
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("service offered by an agency")
        verbose_name_plural = _("services offered by agencies")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service_type"], name="organisation_service_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.service_type}"


class ServiceDelivery(Owned):
    """A service delivered on a date: to one person (individual) or to a group (attendance list).

    The owner fields (registry.Owned) are the case's when it is on a case, otherwise the recorder's
    programme, team and (for a caseworker) the recorder: support.visibility reads a case's delivery
    through its case, so a reassigned case takes its deliveries along.
    """

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual session")
        GROUP = "group", _("group session")

    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("service")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_deliveries",
        verbose_name=_("case"),
    )
    delivered_on = models.DateField(_("date"))
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services_provided",
        verbose_name=_("staff member who provided it"),
    )
    provider_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services_provided",
        verbose_name=_("agency that provided it"),
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cost_uzs = models.PositiveBigIntegerField(_("cost (UZS)"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    plan_action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_deliveries",
        verbose_name=_("plan action"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-delivered_on", "-created_at"]
        verbose_name = _("service delivery")
        verbose_name_plural = _("service deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_user__isnull=False, provider_organisation__isnull=True)
                | Q(provider_user__isnull=True, provider_organisation__isnull=False),
                name="delivery_one_provider",
                violation_error_message=_(
                    "Choose who provided the service: a staff member or an agency, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=False) | Q(quantity__isnull=False),
                name="delivery_duration_or_quantity",
                violation_error_message=_("Give the duration or the quantity."),
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "delivered_on"], name="delivery_programme_idx"),
            models.Index(fields=["case", "delivered_on"], name="delivery_case_idx"),
            # Imports look records up by the id they have in another register.
            models.Index(
                fields=["programme", "external_id"],
                condition=~Q(external_id=""),
                name="delivery_external_id_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} {self.delivered_on}"

    def get_absolute_url(self) -> str:
        return reverse("support:delivery", args=[self.pk])

    @property
    def provider(self) -> Any:
        return self.provider_user or self.provider_organisation


class DeliveryAttendance(BaseModel):
    delivery = models.ForeignKey(
        ServiceDelivery,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("service delivery"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    attended = models.BooleanField(_("attended"), default=True)

    class Meta:
        ordering = ["delivery", "person__family_name", "person__given_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "person"], name="attendance_once")
        ]
        indexes = [models.Index(fields=["person", "attended"], name="attendance_person_idx")]


class Referral(BaseModel):
    class Urgency(models.TextChoices):
        HIGH = "high", _("high")
        NORMAL = "normal", _("normal")
        LOW = "low", _("low")

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        COMPLETED = "completed", _("completed")
        NOT_COMPLETED = "not_completed", _("not completed")

    OPEN_STATUSES = (Status.SENT, Status.ACCEPTED)

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person referred"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household referred"),
    )
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    from_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referred by (agency)"),
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("referred to"),
    )
    urgency = models.CharField(
        _("urgency"), max_length=6, choices=Urgency.choices, default=Urgency.NORMAL
    )
    reason = EncryptedTextField(_("reason for the referral"))
    response_due_on = models.DateField(_("answer due by"))
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.SENT
    )
    # The information-sharing consent the referral relied on, or the override that replaced it.
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent to share information"),
    )
    override_reason = EncryptedTextField(_("reason for sending without consent"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent without consent by"),
    )
    plan_action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("plan action"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decline_reason = EncryptedTextField(_("reason for declining"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    feedback = EncryptedTextField(_("feedback"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, household__isnull=True)
                | Q(person__isnull=True, household__isnull=False),
                name="referral_person_xor_household",
                violation_error_message=_("Refer either a person or a household."),
            ),
            models.CheckConstraint(
                condition=Q(consent__isnull=False) | Q(override_by__isnull=False),
                name="referral_consent_or_override",
                violation_error_message=_(
                    "A referral needs a consent to share information, or an override."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["to_organisation", "status"], name="referral_inbox_idx"),
            models.Index(fields=["status", "response_due_on"], name="referral_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} → {self.to_organisation}"

    def get_absolute_url(self) -> str:
        return reverse("support:referral", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        """Sent and not answered by the date the answer was due."""
        return self.status == self.Status.SENT and self.response_due_on < today()

    @property
    def referred(self) -> Person | Household | None:
        return self.person or self.household
