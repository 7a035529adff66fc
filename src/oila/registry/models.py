"""Households, people, membership, care arrangements, consent and programme enrolments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Programme, Team
from oila.common.crypto import EncryptedTextField
from oila.common.dates import today
from oila.common.models import BaseModel
from oila.common.names import name_script_error
from oila.geo.models import District, Mahalla

pinfl_validator = RegexValidator(r"^\d{14}$", _("A PINFL has exactly 14 digits."))


class Owned(BaseModel):
    """Who a record belongs to: the one thing the visibility rule reads (see registry.visibility)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, verbose_name=_("programme"))
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("team")
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("caseworker"),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        help_text=_("The id this record has in another register (used by imports)."),
    )

    class Meta:
        abstract = True


class Household(Owned):
    class Kind(models.TextChoices):
        VULNERABLE = "vulnerable", _("vulnerable family")
        SOS = "sos", _("SOS family (family-like care)")
        YOUTH = "youth", _("young person's household")
        OTHER = "other", _("other")

    class Housing(models.TextChoices):
        OWNED = "owned", _("own house or flat")
        RENTED = "rented", _("rented")
        RELATIVES = "relatives", _("living with relatives")
        STATE = "state", _("state or organisation housing")
        INADEQUATE = "inadequate", _("unsafe or inadequate")

    class Income(models.TextChoices):
        WAGES = "wages", _("wages")
        SELF_EMPLOYED = "self_employed", _("self-employment")
        AGRICULTURE = "agriculture", _("agriculture")
        SEASONAL = "seasonal", _("seasonal or day labour")
        PENSION = "pension", _("pension")
        REMITTANCES = "remittances", _("remittances from abroad")
        BENEFITS = "benefits", _("state benefits")
        NONE = "none", _("no regular income")

    class Benefit(models.TextChoices):
        CHILD_ALLOWANCE = "child_allowance", _("child allowance")
        LOW_INCOME = "low_income", _("low-income family allowance")
        DISABILITY = "disability", _("disability allowance")
        SURVIVOR = "survivor", _("survivor's pension")
        GUARDIANSHIP = "guardianship", _("guardianship allowance")
        OTHER = "other", _("other benefit")

    name = models.CharField(_("family name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.VULNERABLE)
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("district"))
    mahalla = models.ForeignKey(
        Mahalla, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("mahalla")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    income_sources = models.JSONField(_("income sources"), default=list, blank=True)
    state_benefits = models.JSONField(_("state benefits"), default=list, blank=True)
    adults_employed = models.PositiveSmallIntegerField(_("adults in work"), null=True, blank=True)
    monthly_income_uzs = models.PositiveBigIntegerField(
        _("monthly income (UZS)"), null=True, blank=True
    )
    housing = models.CharField(_("housing"), max_length=12, choices=Housing.choices, blank=True)
    economic_notes = EncryptedTextField(_("notes on the economic situation"), blank=True)
    # The members' names folded to lower-case Latin, so one indexed column answers a name search
    # typed in either script. Kept current by the registry services.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "external_id"],
                condition=~Q(external_id=""),
                name="household_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["programme", "district", "name"], name="hh_list_idx"),
            # The list's order (name, id) and the home page's latest changes, read in index order
            # when the scope is a whole programme (docs/deploy.md, "Measured"); the name search's
            # trigram index is PostgreSQL's own (migration 0005).
            models.Index(fields=["name", "id"], name="hh_name_idx"),
            models.Index(fields=["updated_at"], name="hh_updated_idx"),
            # A caseworker's or a team's households in one district (the list's district filter):
            # without them PostgreSQL combined the owner's index with the whole district's (15 000
            # households at a million people) for the 60 a caseworker has.
            models.Index(fields=["caseworker", "district"], name="hh_caseworker_district_idx"),
            models.Index(fields=["team", "district"], name="hh_team_district_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.mahalla_id and self.district_id and self.mahalla.district_id != self.district_id:
            raise ValidationError(
                {"mahalla": _("This mahalla is not in the district chosen for the household.")}
            )
        unknown = set(self.income_sources or []) - set(self.Income.values)
        if unknown:
            raise ValidationError({"income_sources": _("Unknown income source.")})
        if set(self.state_benefits or []) - set(self.Benefit.values):
            raise ValidationError({"state_benefits": _("Unknown state benefit.")})

    def get_absolute_url(self) -> str:
        return reverse("registry:household", args=[self.pk])


def person_rule_errors(
    given_name: str, family_name: str, patronymic: str, birth_date: dt.date | None
) -> dict[str, Any]:
    """Person.clean's rules (names' letters, a plausible date of birth), as {field: message}: the
    one place they are written, for the model and for the bulk check (registry.person_validate)."""
    errors: dict[str, Any] = {}
    for field, value in (
        ("given_name", given_name), ("family_name", family_name), ("patronymic", patronymic)
    ):  # fmt: skip
        problem = name_script_error(value) if value else ""
        if problem == "no-letters":
            errors[field] = _("A name needs letters.")
        elif problem:
            errors[field] = _("Write the name in Latin or Cyrillic letters.")
    if errors or not isinstance(birth_date, dt.date):
        return errors
    now = today()
    if birth_date > now:
        errors["birth_date"] = _("The date of birth cannot be in the future.")
    elif birth_date.year < now.year - 120:
        errors["birth_date"] = _("The date of birth is too far in the past.")
    return errors


class Person(Owned):
    class Sex(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")

    class Script(models.TextChoices):
        LATIN = "latn", _("Latin")
        CYRILLIC = "cyrl", _("Cyrillic")
        MIXED = "mixed", _("mixed")

    class Difficulty(models.IntegerChoices):
        # Washington Group short set answer scale; "a lot of difficulty" or worse counts as disability.
        NONE = 1, _("no difficulty")
        SOME = 2, _("some difficulty")
        A_LOT = 3, _("a lot of difficulty")
        CANNOT = 4, _("cannot do at all")

    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    name_script = models.CharField(
        _("script the name was entered in"), max_length=5, choices=Script.choices, blank=True
    )
    # Searched with LIKE '%word%', which no B-tree index serves (EXPLAIN at a million people: a
    # sequential scan either way); an index only cost every write.
    search_text = models.CharField(max_length=320, editable=False, blank=True)
    # Blocking keys for duplicate detection (oila.common.names, ADR 0008): the name folded across
    # scripts and spellings, kept current by the registry services.
    fold_given = models.CharField(max_length=100, editable=False, blank=True)
    fold_family = models.CharField(max_length=100, editable=False, blank=True)
    fold_patronymic = models.CharField(max_length=100, editable=False, blank=True)
    # Indexed with the date of birth (Meta.indexes): the check at entry asks for a key and a range of
    # dates, answered from the index alone.
    name_key = models.CharField(max_length=201, editable=False, blank=True)
    sound_key = models.CharField(max_length=201, editable=False, blank=True)
    # Set when a supervisor merged this person into another (oila.dedup): the record is kept as a
    # redirect to the survivor and left out of lists and searches.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_people",
        verbose_name=_("merged into"),
        # Indexed only where set (Meta.indexes): an index holding every unmerged person under NULL
        # tempted SQLite, which keeps no statistics, to read the whole table for "IS NULL".
        db_index=False,
    )
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    wg_seeing = models.PositiveSmallIntegerField(
        _("difficulty seeing, even with glasses"), choices=Difficulty.choices, null=True, blank=True
    )
    wg_hearing = models.PositiveSmallIntegerField(
        _("difficulty hearing, even with a hearing aid"),
        choices=Difficulty.choices,
        null=True,
        blank=True,
    )
    wg_walking = models.PositiveSmallIntegerField(
        _("difficulty walking or climbing steps"), choices=Difficulty.choices, null=True, blank=True
    )
    wg_cognition = models.PositiveSmallIntegerField(
        _("difficulty remembering or concentrating"),
        choices=Difficulty.choices,
        null=True,
        blank=True,
    )
    wg_selfcare = models.PositiveSmallIntegerField(
        _("difficulty with self-care, such as washing or dressing"),
        choices=Difficulty.choices,
        null=True,
        blank=True,
    )
    wg_communication = models.PositiveSmallIntegerField(
        _("difficulty communicating"), choices=Difficulty.choices, null=True, blank=True
    )
    has_disability = models.BooleanField(_("has a disability"), default=False, editable=False)
    pinfl = EncryptedTextField(_("PINFL"), blank=True, validators=[pinfl_validator])
    pinfl_hash = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    WG_FIELDS = (
        "wg_seeing",
        "wg_hearing",
        "wg_walking",
        "wg_cognition",
        "wg_selfcare",
        "wg_communication",
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "external_id"],
                condition=~Q(external_id=""),
                name="person_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["fold_given", "birth_date"], name="person_given_dob_idx"),
            models.Index(fields=["fold_family", "birth_date"], name="person_family_dob_idx"),
            models.Index(fields=["name_key", "birth_date"], name="person_name_key_dob_idx"),
            models.Index(fields=["sound_key", "birth_date"], name="person_sound_key_dob_idx"),
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="person_merged_into_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        errors = person_rule_errors(
            self.given_name, self.family_name, self.patronymic, self.birth_date
        )
        if errors:
            raise ValidationError(errors)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name, self.patronymic) if p)

    def get_absolute_url(self) -> str:
        return reverse("registry:person", args=[self.pk])


class Membership(BaseModel):
    class Relationship(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        GRANDCHILD = "grandchild", _("grandchild")
        SIBLING = "sibling", _("brother or sister")
        PARENT = "parent", _("parent or grandparent")
        RELATIVE = "relative", _("other relative")
        CAREGIVER = "caregiver", _("caregiver (e.g. SOS mother)")
        FOSTER_CHILD = "foster_child", _("child in care")
        OTHER = "other", _("other")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("household")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    relationship = models.CharField(
        _("relationship to the head"), max_length=14, choices=Relationship.choices
    )
    started_on = models.DateField(_("member since"))
    ended_on = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        ordering = ["started_on"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_current",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_dates_in_order",
            ),
        ]


class CareArrangement(BaseModel):
    class Type(models.TextChoices):
        # UN Guidelines for the Alternative Care of Children (2009), DOMAIN.md §4.
        PARENTAL = "parental", _("parental care")
        INFORMAL_KINSHIP = "informal_kinship", _("informal kinship care")
        FORMAL_KINSHIP = "formal_kinship", _("formal kinship care")
        FOSTER = "foster", _("foster care")
        FAMILY_LIKE = "family_like", _("family-like care (e.g. an SOS family)")
        RESIDENTIAL = "residential", _("residential care (institution)")
        INDEPENDENT = "independent", _("supervised independent living")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="care_arrangements", verbose_name=_("child")
    )
    type = models.CharField(_("care arrangement"), max_length=20, choices=Type.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    caregiver_household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cared_for",
        verbose_name=_("caregiver household"),
    )
    place = models.CharField(_("institution or place"), max_length=200, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("care arrangement")
        verbose_name_plural = _("care arrangements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="care_dates_in_order",
            )
        ]

    @property
    def is_formal(self) -> bool:
        return self.type in FORMAL_CARE


FORMAL_CARE = (
    CareArrangement.Type.FORMAL_KINSHIP,
    CareArrangement.Type.FOSTER,
    CareArrangement.Type.FAMILY_LIKE,
    CareArrangement.Type.RESIDENTIAL,
    CareArrangement.Type.INDEPENDENT,
)


class Consent(BaseModel):
    class Purpose(models.TextChoices):
        DATA_PROCESSING = "data_processing", _("processing of personal data")
        INFORMATION_SHARING = "information_sharing", _("sharing information with partners")
        PHOTOS = "photos", _("photos")

    class GivenBy(models.TextChoices):
        SELF = "self", _("the person themself")
        CAREGIVER = "caregiver", _("parent or caregiver")
        GUARDIAN = "guardian", _("legal guardian")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="consents", verbose_name=_("person")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices)
    given_by_name = models.CharField(_("name of who gave it"), max_length=200, blank=True)
    child_assent = models.BooleanField(_("the child agreed too"), default=False)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    @property
    def is_current(self) -> bool:
        return self.withdrawn_on is None


class Enrolment(BaseModel):
    class Group(models.TextChoices):
        SOS_CHILD = "sos_child", _("child in an SOS family")
        VULNERABLE_CHILD = "vulnerable_child", _("child of a vulnerable family")
        YOUTH = "youth", _("young person seeking work")
        SPECIALIST = "specialist", _("child-protection specialist")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        GRADUATED = "graduated", _("graduated")
        TRANSFERRED = "transferred", _("transferred")
        EXITED = "exited", _("exited without graduating")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("programme")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("household"),
    )
    group = models.CharField(_("beneficiary group"), max_length=20, choices=Group.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    enrolled_on = models.DateField(_("enrolled on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_on"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(household__isnull=True))
                | (Q(person__isnull=True) & Q(household__isnull=False)),
                name="enrolment_person_xor_household",
            ),
            models.UniqueConstraint(
                fields=["programme", "person", "group"],
                condition=Q(status="active") & Q(person__isnull=False),
                name="enrolment_one_active_per_person_group",
            ),
        ]
        indexes = [models.Index(fields=["programme", "group", "status"], name="enrol_group_idx")]


class BreakGlassGrant(BaseModel):
    """Emergency access of a caseworker or supervisor to one household of their programme that is
    outside their scope (ADR 0017): a written reason, a time limit, audited, listed for the DPO."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("household")
        PERSON = "person", _("person")
        CASE = "case", _("case")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="break_glass_grants",
        verbose_name=_("user"),
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, verbose_name=_("programme"))
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="break_glass_grants",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("record asked for"), max_length=10, choices=Kind.choices)
    identifier = models.CharField(_("identifier given"), max_length=64)
    record_id = models.UUIDField(_("record opened"))
    reason = EncryptedTextField(_("reason"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("break-the-glass grant")
        verbose_name_plural = _("break-the-glass grants")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.kind} {self.identifier}"


class BreakGlassRecord(models.Model):
    """One record a grant opens: the household, its members and its cases (their UUIDs are unique
    across tables, so the visibility rule asks one question for all three models)."""

    grant = models.ForeignKey(
        BreakGlassGrant, on_delete=models.CASCADE, related_name="records", verbose_name=_("grant")
    )
    record_id = models.UUIDField(_("record"), db_index=True)

    class Meta:
        verbose_name = _("record opened by a grant")
        verbose_name_plural = _("records opened by grants")
        constraints = [
            models.UniqueConstraint(fields=["grant", "record_id"], name="break_glass_record_once")
        ]

    def __str__(self) -> str:
        return f"{self.grant_id}: {self.record_id}"
