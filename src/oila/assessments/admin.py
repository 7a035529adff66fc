"""Instruments are loaded from definition files (`oila instruments load FILE`), so the admin only shows
them (read-only); assessments are personal data and are read through the case pages, not here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oila.assessments.models import Instrument


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "abbreviation", "applies_to", "active"]
    list_filter = ["code", "active"]
    readonly_fields = [
        "code", "version", "abbreviation", "names", "descriptions", "applies_to", "goal_at_or_below",
    ]  # fmt: skip
    fields = [*readonly_fields, "active"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
