"""Helpers shared by every app's services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def _field(instance: models.Model, name: str) -> models.Field[Any, Any]:
    """A field declared on the model (not a reverse relation, which has no column of its own)."""
    field = instance._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{instance._meta.label}.{name} is not a field of its own.")
    return field


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-safe values of some fields, for an audit event's before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        field = _field(instance, name)
        value = getattr(instance, field.attname)
        out[name] = to_jsonable(value)
    return out


_SCALARS = frozenset({type(None), bool, int, float, str})


def to_jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # the common cases first, without isinstance's walk of the union
        return value
    if kind is dict:
        return {
            k if type(k) is str else str(k): v if type(v) in _SCALARS else to_jsonable(v)
            for k, v in value.items()
        }
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return str(value)


def model_update(
    *, instance: M, data: dict[str, Any], fields: Iterable[str]
) -> tuple[M, dict[str, Any], dict[str, Any]]:
    """Set the allowed fields that changed, validate and save only those.

    Returns the instance with the before and after values of what changed (empty when nothing did), so
    the caller can write one audit event.
    """
    allowed = set(fields)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changed: list[str] = []
    m2m: dict[str, Any] = {}
    for name, value in data.items():
        if name not in allowed:
            continue
        field = _field(instance, name)
        if field.many_to_many:
            m2m[name] = value
            continue
        old = getattr(instance, name)
        if old != value:
            before[name] = to_jsonable(getattr(instance, field.attname))
            setattr(instance, name, value)
            after[name] = to_jsonable(getattr(instance, field.attname))
            changed.append(field.name)
    if changed:
        instance.full_clean()
        update_fields = [*changed]
        if any(f.name == "updated_at" for f in instance._meta.fields):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    for name, value in m2m.items():
        getattr(instance, name).set(value)
    return instance, before, after
