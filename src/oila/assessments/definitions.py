"""Instrument definitions: JSON files (assessments/data/*.json), checked, then written as rows.

A definition looks like this (every text is an object keyed by language; "en", "uz" and "ru" are
required, "uz-cyrl" is derived from "uz" when absent):

    {"code": "csi", "version": 1, "abbreviation": "CSI", "applies_to": "child",
     "name": {...}, "description": {...}, "goal_at_or_below": 2,
     "scale": [{"value": 4, "label": {...}}, ...],
     "items": [{"code": "1A", "domain": {...}, "label": {...}, "goal": {...},
                "guidance": {"4": {...}, "3": {...}, ...}}, ...]}

The data migration writes the bundled files with the historical models; `oila instruments load FILE`
adds a new version through assessments.services.instrument_load. Both use `write` below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from oila.common.script import latin_to_cyrillic

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED_LANGUAGES = ("en", "uz", "ru")
ALL_LANGUAGES = ("en", "uz", "uz-cyrl", "ru")
APPLIES_TO = ("child", "household", "youth")


class DefinitionError(ValueError):
    """A definition file that cannot be loaded; the message says where and why."""


def bundled() -> list[dict[str, Any]]:
    """The definitions shipped with oila, checked and completed, oldest version of each first."""
    definitions = [read(path) for path in DATA_DIR.glob("*.json")]
    return sorted(definitions, key=lambda d: (d["code"], d["version"]))


def load_file(path: Path | str) -> Any:
    """A definition file as written (not yet checked)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DefinitionError(f"{path}: {exc}") from exc


def read(path: Path | str) -> dict[str, Any]:
    """A definition file, checked and completed (uz-cyrl derived, scale copied to every item)."""
    return normalise(load_file(path))


def _texts(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise DefinitionError(f"{where}: expected an object of texts keyed by language")
    unknown = set(value) - set(ALL_LANGUAGES)
    if unknown:
        raise DefinitionError(f"{where}: unknown language(s) {', '.join(sorted(unknown))}")
    for lang in REQUIRED_LANGUAGES:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise DefinitionError(f"{where}: the text in '{lang}' is missing")
    texts = {lang: str(value[lang]).strip() for lang in value}
    texts.setdefault("uz-cyrl", latin_to_cyrillic(texts["uz"]))
    return texts


def normalise(data: Any) -> dict[str, Any]:
    """Check a definition's shape and return it completed; DefinitionError names the first problem."""
    if not isinstance(data, dict):
        raise DefinitionError("a definition is a JSON object")
    code = data.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", code):
        raise DefinitionError("code: lower-case letters, digits and hyphens, at most 40")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 32767:
        raise DefinitionError("version: a whole number from 1")
    abbreviation = data.get("abbreviation")
    if not isinstance(abbreviation, str) or not 1 <= len(abbreviation) <= 12:
        raise DefinitionError("abbreviation: 1 to 12 characters")
    if data.get("applies_to") not in APPLIES_TO:
        raise DefinitionError(f"applies_to: one of {', '.join(APPLIES_TO)}")
    goal_at = data.get("goal_at_or_below", 2)
    if not isinstance(goal_at, int) or isinstance(goal_at, bool) or goal_at < 0:
        raise DefinitionError("goal_at_or_below: a whole number")

    scale = data.get("scale")
    if not isinstance(scale, list) or len(scale) < 2:
        raise DefinitionError("scale: a list of at least two levels")
    levels: list[dict[str, Any]] = []
    for i, level in enumerate(scale):
        value = level.get("value") if isinstance(level, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise DefinitionError(f"scale[{i}].value: a whole number from 0 to 100")
        levels.append({"value": value, "label": _texts(level.get("label"), f"scale[{i}].label")})
    values = [level["value"] for level in levels]
    if len(set(values)) != len(values):
        raise DefinitionError("scale: each value may appear once")

    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise DefinitionError("items: a list of at least one item")
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(raw_items):
        if not isinstance(item, dict):
            raise DefinitionError(f"items[{i}]: an object")
        item_code = item.get("code")
        if not isinstance(item_code, str) or not re.fullmatch(r"[A-Za-z0-9._-]{1,12}", item_code):
            raise DefinitionError(f"items[{i}].code: 1 to 12 letters or digits")
        if item_code in seen:
            raise DefinitionError(f"items[{i}].code: {item_code} appears twice")
        seen.add(item_code)
        where = f"items[{item_code}]"
        guidance = item.get("guidance")
        if not isinstance(guidance, dict):
            raise DefinitionError(f"{where}.guidance: an object keyed by score")
        if set(guidance) != {str(v) for v in values}:
            raise DefinitionError(f"{where}.guidance: one text for each score of the scale")
        items.append(
            {
                "code": item_code,
                "domain": _texts(item.get("domain"), f"{where}.domain"),
                "label": _texts(item.get("label"), f"{where}.label"),
                "goal": _texts(item.get("goal"), f"{where}.goal"),
                "levels": [
                    {
                        "value": level["value"],
                        "label": level["label"],
                        "guidance": _texts(guidance[str(level["value"])], f"{where}.guidance"),
                    }
                    for level in sorted(levels, key=lambda lv: -lv["value"])
                ],
            }
        )
    return {
        "code": code,
        "version": version,
        "abbreviation": abbreviation,
        "applies_to": data["applies_to"],
        "goal_at_or_below": goal_at,
        "name": _texts(data.get("name"), "name"),
        "description": _texts(data["description"], "description")
        if data.get("description")
        else {},
        "items": items,
    }


def write(
    definition: dict[str, Any], *, instrument_model: Any, item_model: Any, level_model: Any
) -> Any:
    """Create the rows of a checked definition (with the real or the migration's historical models).

    Older versions of the same instrument stop being offered for new assessments.
    """
    instrument_model.objects.filter(code=definition["code"], active=True).update(active=False)
    instrument = instrument_model.objects.create(
        code=definition["code"],
        version=definition["version"],
        abbreviation=definition["abbreviation"],
        applies_to=definition["applies_to"],
        goal_at_or_below=definition["goal_at_or_below"],
        names=definition["name"],
        descriptions=definition["description"],
        active=True,
    )
    for order, item in enumerate(definition["items"], start=1):
        row = item_model.objects.create(
            instrument=instrument,
            code=item["code"],
            order=order,
            domains=item["domain"],
            labels=item["label"],
            goals=item["goal"],
        )
        level_model.objects.bulk_create(
            level_model(item=row, value=lv["value"], labels=lv["label"], guidances=lv["guidance"])
            for lv in item["levels"]
        )
    return instrument


def as_definition(instrument: Any) -> dict[str, Any]:
    """A stored instrument in the normalised definition's shape (to compare with a file)."""
    items = []
    for item in instrument.items.order_by("order").prefetch_related("levels"):
        levels = sorted(item.levels.all(), key=lambda lv: -lv.value)
        items.append(
            {
                "code": item.code,
                "domain": item.domains,
                "label": item.labels,
                "goal": item.goals,
                "levels": [
                    {"value": lv.value, "label": lv.labels, "guidance": lv.guidances}
                    for lv in levels
                ],
            }
        )
    return {
        "code": instrument.code,
        "version": instrument.version,
        "abbreviation": instrument.abbreviation,
        "applies_to": instrument.applies_to,
        "goal_at_or_below": instrument.goal_at_or_below,
        "name": instrument.names,
        "description": instrument.descriptions,
        "items": items,
    }
