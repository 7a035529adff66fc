"""Import and export jobs: what was asked, how far it got, what it found, where its file is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oila.common.models import BaseModel


class Job(BaseModel):
    """One import (a dry run, then perhaps its commit) or one export, run in the background.

    `file` is a name under the transfer directory (settings.OILA_TRANSFER_DIR), never a path the user
    typed: the uploaded file of an import, or the file an export wrote. `report` holds what the job
    found, as codes and parameters, so that it is shown in the language of whoever reads it.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        CHECKING = "checking", _("checking the file")
        CHECKED = "checked", _("checked")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")
        EXPORTING = "exporting", _("exporting")
        READY = "ready", _("ready to download")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    # The import type (households, people, …) or the exported list (households, cases, …).
    subject = models.CharField(_("what"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rows in all"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    file = models.CharField(max_length=80, blank=True, editable=False)
    file_format = models.CharField(_("format"), max_length=4, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="transfer_jobs",
        verbose_name=_("started by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import or export")
        verbose_name_plural = _("imports and exports")
        indexes = [models.Index(fields=["created_by", "created_at"], name="transfer_job_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("transfer:job", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.CHECKING,
            self.Status.IMPORTING,
            self.Status.EXPORTING,
        )

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))
