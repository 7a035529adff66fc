from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from oila.geo.models import District, Mahalla, place_name


def district_list() -> QuerySet[District]:
    """All districts, in SOATO order (place names are public, not personal data)."""
    return District.objects.select_related("region").order_by("soato")


def mahalla_list(*, district: District | None = None) -> QuerySet[Mahalla]:
    """Mahallas, optionally of one district."""
    qs = Mahalla.objects.select_related("district").order_by("district__soato", "name_uz")
    return qs.filter(district=district) if district is not None else qs


# ---------------------------------------------------------------------------------------------------
# Places as options of a select, kept in memory


@dataclass(frozen=True)
class Place:
    """A district or mahalla as a select shows it: its key and its names (str: the name in the
    active language, read when the option is written)."""

    pk: uuid.UUID
    name_uz: str
    name_uz_cyrl: str
    name_ru: str

    @property
    def name(self) -> str:
        return place_name(self.name_uz, self.name_uz_cyrl, self.name_ru)

    def __str__(self) -> str:
        return self.name


_lock = threading.Lock()
_held: dict[str, tuple[float, Any]] = {}
_NAMES = ("pk", "name_uz", "name_uz_cyrl", "name_ru")


def _kept(key: str, read: Callable[[], Any]) -> Any:
    """What `read` gives, read at most once every OILA_PLACE_CACHE_SECONDS per process.

    Every select of places on every list and form page read them (a query and a model object per
    option: a tenth of a household list's time at a million people); they change only when an
    administrator edits places. A save or delete of a place in this process forgets them at once
    (and again when its transaction commits); the other web workers read the change within
    OILA_PLACE_CACHE_SECONDS (default 60). Validation never uses this: a form's field checks a
    chosen place against the database.
    """
    seconds = settings.OILA_PLACE_CACHE_SECONDS
    with _lock:
        held = _held.get(key)
        if held is None or time.monotonic() - held[0] >= seconds:
            held = (time.monotonic(), read())
            if seconds > 0:
                _held[key] = held
        return held[1]


def _read_districts() -> list[Place]:
    return [Place(*row) for row in District.objects.order_by("soato").values_list(*_NAMES)]


def _read_mahallas() -> dict[uuid.UUID, list[Place]]:
    mahallas: dict[uuid.UUID, list[Place]] = defaultdict(list)
    rows = Mahalla.objects.order_by("district__soato", "name_uz").values_list("district", *_NAMES)
    for district_id, *row in rows:
        mahallas[district_id].append(Place(*row))
    return dict(mahallas)


def forget_places(**_kwargs: Any) -> None:
    """Drop the places held in memory (a place was saved or deleted): now, and once its
    transaction commits, so that a reader in between cannot keep what was rolled back."""
    _drop()
    transaction.on_commit(_drop)


def _drop() -> None:
    with _lock:
        _held.clear()


def district_options() -> list[Place]:
    """The districts, in SOATO order, for a select (kept in memory: see _kept)."""
    districts: list[Place] = _kept("districts", _read_districts)
    return districts


def mahalla_options(*, district_id: uuid.UUID) -> list[Place]:
    """A district's mahallas, by name, for a select (kept in memory: see _kept)."""
    mahallas: dict[uuid.UUID, list[Place]] = _kept("mahallas", _read_mahallas)
    return mahallas.get(district_id, [])
