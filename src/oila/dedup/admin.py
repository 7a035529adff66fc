from django.contrib import admin

from oila.dedup.models import ScanRun


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    """Scan runs are read-only here: what ran, with which model, what it found."""

    list_display = ["started_at", "status", "people", "pairs", "candidates_new", "model_version"]
    readonly_fields = [f.name for f in ScanRun._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
