from django.contrib import admin

from oila.geo.models import District, Mahalla, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["soato", "name_uz", "name_uz_cyrl", "name_ru"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["soato", "name_uz", "name_uz_cyrl", "name_ru", "kind"]
    list_filter = ["region", "kind"]


@admin.register(Mahalla)
class MahallaAdmin(admin.ModelAdmin):
    list_display = ["name_uz", "name_uz_cyrl", "district", "code"]
    list_filter = ["district"]
    search_fields = ["name_uz", "name_uz_cyrl", "name_ru"]
