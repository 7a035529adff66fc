from __future__ import annotations

from django.db.models import QuerySet

from oila.geo.models import District, Mahalla


def district_list() -> QuerySet[District]:
    """All districts, in SOATO order (place names are public, not personal data)."""
    return District.objects.select_related("region").order_by("soato")


def mahalla_list(*, district: District | None = None) -> QuerySet[Mahalla]:
    """Mahallas, optionally of one district."""
    qs = Mahalla.objects.select_related("district").order_by("district__soato", "name_uz")
    return qs.filter(district=district) if district is not None else qs
