"""The results framework in the admin site: configuration, no personal data."""

from __future__ import annotations

from django.contrib import admin

from oila.results.models import Indicator, Outcome, Output, Target


class OutputInline(admin.TabularInline):
    model = Output
    extra = 0


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "programme", "order")
    list_filter = ("programme",)
    inlines = [OutputInline]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "outcome", "output", "programme")
    list_filter = ("programme", "unit")
    search_fields = ("code", "name")
    inlines = [TargetInline]
