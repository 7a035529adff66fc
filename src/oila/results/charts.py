"""Light server-rendered charts: the geometry of SVG bar charts, computed here and drawn by the
templates with SVG attributes only (no script, no style attribute: the pages run under a strict CSP,
and WeasyPrint draws the same SVG into the PDF)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 320
LABEL_WIDTH = 110
BAR_AREA = WIDTH - LABEL_WIDTH - 50
ROW = 22
BASE = 140  # the baseline of a column chart


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    text_x: float
    text_y: float
    target: tuple[float, float, float, float] | None = None  # x1, y1, x2, y2 of the target mark


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    kind: str = "rows"
    base: int = BASE


Item = tuple[str, float | None, str, float | None]  # label, value, shown text, target


def _scale(items: list[Item]) -> float:
    values = [v for _l, v, _t, _g in items if v is not None]
    values += [g for _l, _v, _t, g in items if g is not None]
    top = max(values or [0.0])
    return top if top > 0 else 1.0


def _short(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def rows(items: list[Item], *, percentage: bool = False) -> Chart:
    """Horizontal bars, one per item: a breakdown, or actuals against targets."""
    top = 100.0 if percentage else _scale(items)
    bars = []
    for i, (label, value, text, target) in enumerate(items):
        y = i * ROW + 4
        width = 0.0 if value is None else max(0.0, min(1.0, value / top)) * BAR_AREA
        mark = None
        if target is not None:
            tx = round(LABEL_WIDTH + min(1.0, target / top) * BAR_AREA, 1)
            mark = (tx, y - 2, tx, y + ROW - 6)
        bars.append(
            Bar(_short(label), text, LABEL_WIDTH, y, round(width, 1), ROW - 8,
                0, y + 10, round(LABEL_WIDTH + width + 4, 1), y + 10, mark)
        )  # fmt: skip
    return Chart(WIDTH, max(ROW, len(items) * ROW + 4), bars)


def columns(items: list[Item], *, percentage: bool = False) -> Chart:
    """Vertical bars over time (a quarterly trend), the target as a line across each bar."""
    top = 100.0 if percentage else _scale(items)
    slot = (WIDTH - 10) / max(1, len(items))
    usable = BASE - 16
    bars = []
    for i, (label, value, text, target) in enumerate(items):
        x = round(5 + i * slot + slot * 0.2, 1)
        width = round(slot * 0.6, 1)
        height = 0.0 if value is None else round(max(0.0, value) / top * usable, 1)
        y = round(BASE - height, 1)
        mark = None
        if target is not None:
            ty = round(BASE - target / top * usable, 1)
            mark = (x - 2, ty, round(x + width + 2, 1), ty)
        text_y = y + 12 if height > 14 else y - 3
        bars.append(
            Bar(label, text, x, y, width, height, x, BASE + 14, x + 2, round(text_y, 1), mark)
        )
    return Chart(WIDTH, BASE + 20, bars, kind="columns")
