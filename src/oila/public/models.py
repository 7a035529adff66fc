"""Photos for the public programme page's gallery (the figures are computed, not stored)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Programme
from oila.common.models import BaseModel
from oila.registry.models import Person


class Photo(BaseModel):
    """A photo for the public gallery, stored through oila.common.uploads (encrypted, random name,
    typed by its content). It is shown only while every person in it has a current photo consent
    (oila.public.selectors.gallery_photos); a photo in which nobody is tagged is never shown."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="photos", verbose_name=_("programme")
    )
    file_name = models.CharField(_("stored file"), max_length=100, editable=False)
    content_type = models.CharField(_("type"), max_length=40, editable=False)
    caption = models.CharField(
        _("caption"),
        max_length=200,
        help_text=_("Shown under the photo on the public page: no names, places or ages."),
    )
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    subjects = models.ManyToManyField(
        Person, related_name="public_photos", verbose_name=_("people in the photo")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["-taken_on", "-created_at"]
        verbose_name = _("public photo")
        verbose_name_plural = _("public photos")

    def __str__(self) -> str:
        return self.caption
