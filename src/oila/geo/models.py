"""Regions, districts (SOATO codes) and mahallas, named in Uzbek Latin, Uzbek Cyrillic and Russian."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oila.common.models import BaseModel


def place_name(name_uz: str, name_uz_cyrl: str, name_ru: str) -> str:
    """A place's name in the active language, falling back to Uzbek Latin."""
    lang = (get_language() or "uz").lower()
    if lang.startswith("uz-cyrl"):
        return name_uz_cyrl or name_uz
    if lang.startswith("ru"):
        return name_ru or name_uz
    return name_uz


class NamedPlace(BaseModel):
    name_uz = models.CharField(_("name (Uzbek, Latin)"), max_length=120)
    name_uz_cyrl = models.CharField(_("name (Uzbek, Cyrillic)"), max_length=120, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Uzbek Latin."""
        return place_name(self.name_uz, self.name_uz_cyrl, self.name_ru)

    def __str__(self) -> str:
        return self.name


class Region(NamedPlace):
    soato = models.CharField(_("SOATO code"), max_length=4, unique=True)

    class Meta:
        ordering = ["soato"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class District(NamedPlace):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("district (tuman)")
        CITY = "city", _("city (shahar)")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    soato = models.CharField(_("SOATO code"), max_length=7, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DISTRICT)

    class Meta:
        ordering = ["soato"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Mahalla(NamedPlace):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="mahallas")
    code = models.CharField(_("code"), max_length=20, blank=True)

    class Meta:
        ordering = ["district__soato", "name_uz"]
        verbose_name = _("mahalla")
        verbose_name_plural = _("mahallas")
        constraints = [
            models.UniqueConstraint(fields=["district", "name_uz"], name="mahalla_unique_name")
        ]
