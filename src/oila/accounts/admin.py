from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, Programme, Team, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "district"]
    list_filter = ["type"]
    search_fields = ["name"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organisation", "starts_on", "ends_on"]
    filter_horizontal = ["districts"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "programme"]
    list_filter = ["programme"]
    filter_horizontal = ["districts"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "organisation",
        "team",
        "is_active",
    ]
    list_filter = ["role", "organisation", "team", "is_active"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("oila"), {"fields": ("role", "organisation", "team", "programmes", "language")}),
    )
    filter_horizontal = ("programmes", "groups", "user_permissions")
