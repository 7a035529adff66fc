"""The service catalogue and the agencies' offers are configuration: administrators keep them here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from oila.common.script import latin_to_cyrillic
from oila.support.models import OrganisationService, ServiceType


class ServiceTypeForm(forms.ModelForm):
    """The names as four text boxes (stored as one JSON object); Uzbek Cyrillic is derived from
    Uzbek Latin when left empty."""

    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_uz = forms.CharField(label=_("Name (Uzbek, Latin)"), max_length=200)
    name_uz_cyrl = forms.CharField(
        label=_("Name (Uzbek, Cyrillic)"),
        max_length=200,
        required=False,
        help_text=_("Written from the Latin when left empty."),
    )
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=200)

    class Meta:
        model = ServiceType
        fields = ["programme", "code", "category", "is_group_capable", "unit", "order", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = self.instance.names or {}
        for field, key in (("name_en", "en"), ("name_uz", "uz"), ("name_uz_cyrl", "uz-cyrl"),
                           ("name_ru", "ru")):  # fmt: skip
            self.fields[field].initial = names.get(key, "")

    def save(self, commit: bool = True) -> Any:
        data = self.cleaned_data
        self.instance.names = {
            "en": data["name_en"],
            "uz": data["name_uz"],
            "uz-cyrl": data["name_uz_cyrl"] or latin_to_cyrillic(data["name_uz"]),
            "ru": data["name_ru"],
        }
        return super().save(commit=commit)


class OfferedByInline(admin.TabularInline):
    model = OrganisationService
    extra = 1
    autocomplete_fields = ["organisation"]
    verbose_name = _("agency that offers it")
    verbose_name_plural = _("agencies that offer it")


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    form = ServiceTypeForm
    list_display = ["code", "name", "category", "unit", "is_group_capable", "active", "programme"]
    list_filter = ["programme", "category", "active"]
    search_fields = ["code"]
    inlines = [OfferedByInline]


@admin.register(OrganisationService)
class OrganisationServiceAdmin(admin.ModelAdmin):
    list_display = ["organisation", "service_type"]
    list_filter = ["organisation", "service_type__programme"]
    autocomplete_fields = ["organisation"]
