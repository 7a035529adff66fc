"""Donor reports: XLSX, PDF (WeasyPrint, with the SVG charts) and IATI 2.03 activity XML.

The web page and `oila results export` call `export` with the same arguments and get the same bytes:
timestamps inside the files come from the report's date, not from the clock at the moment of writing.
Only aggregates go in: indicator values, their disaggregations, targets and definitions.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import threading
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from oila.accounts.models import Programme
from oila.common.dates import today
from oila.geo.models import District, Region
from oila.results import charts, engine, selectors
from oila.results.definitions import SOURCES
from oila.results.models import Indicator

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
    "iati": ("application/xml", "xml"),
}
# IATI codelists: ResultType 1 output, 2 outcome; IndicatorMeasure 1 unit, 2 percentage;
# ActivityStatus 2 implementation, 3 finalisation; ActivityDateType 2 actual start, 3 planned end,
# 4 actual end; OrganisationRole 1 funding, 4 implementing; OrganisationType 21 international NGO.
IATI_MEASURE = {"count": "1", "percentage": "2"}
_PDF_LOCK = threading.Lock()
# WeasyPrint's font subsetting (fontTools) reports every table it prunes at INFO: not worth a log line.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@dataclass
class IndicatorReport:
    indicator: Indicator
    results: dict[str, engine.IndicatorResult] = field(default_factory=dict)  # by period label
    targets: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Report:
    programme: Programme
    year: int
    day: dt.date
    periods: list[engine.Period]
    indicators: list[IndicatorReport]
    status: list[selectors.StatusRow]


# The PDF's own style sheet, given to WeasyPrint directly: the template carries no <style> element
# (CSP rule for templates, ADR 0013), and this page is never served to a browser.
PDF_STYLE = """
  @page {
    size: A4; margin: 16mm 14mm;
    @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; }
  }
  body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #222; }
  h1 { font-size: 16pt; margin: 0 0 4pt; }
  h2 { font-size: 12.5pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; }
  h3 { font-size: 10.5pt; margin: 10pt 0 2pt; }
  table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; }
  th, td { border-bottom: 1px solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
  td.num, th.num { text-align: right; }
  .muted { color: #666; }
  .indicator { page-break-inside: avoid; }
  svg.chart { width: 100%; max-width: 120mm; height: auto; }
"""


def build(*, programme: Programme, year: int, day: dt.date | None = None) -> Report:
    """The figures of a donor report: every indicator for the year and its quarters, with every
    disaggregation (one query per indicator and period), and the beneficiary status accounting."""
    year_period = engine.Period.of_year(year)
    periods = [year_period, *year_period.quarters()]
    reports = []
    for indicator in selectors.indicator_list(programme=programme):
        rep = IndicatorReport(indicator)
        for period in periods:
            rep.results[period.label] = engine.compute(indicator, period)
            rep.targets[period.label] = selectors.target_for(indicator, period)
        reports.append(rep)
    status = selectors.status_accounting(programme=programme, periods=year_period.quarters())
    return Report(programme, year, day or today(), periods, reports, status)


def export(
    *,
    programme: Programme,
    fmt: str,
    year: int,
    language: str | None = None,
    day: dt.date | None = None,
) -> bytes:
    """The donor report as bytes in the format asked for ("xlsx", "pdf" or "iati"), in the given
    language (the site's default language unless told)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    with translation.override(language or settings.LANGUAGE_CODE):
        report = build(programme=programme, year=year, day=day)
        if fmt == "xlsx":
            return to_xlsx(report)
        if fmt == "pdf":
            return to_pdf(report)
        return to_iati(report)


def filename(programme: Programme, fmt: str, year: int) -> str:
    return f"{programme.slug}-results-{year}.{FORMATS[fmt][1]}"


def _number(value: float | None) -> Any:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 1)


def _shown(cell: engine.Cell) -> Any:
    value = cell.value
    return str(_("no data")) if value is None else _number(value)


def describe(definition: dict[str, Any]) -> str:
    """A definition in words, for the donor report's definitions sheet."""
    parts = []
    for role in ("numerator", "denominator"):
        part = definition.get(role)
        if not part:
            continue
        source = SOURCES.get(part.get("source", ""))
        label = str(source.label) if source else part.get("source", "")
        conditions = ", ".join(
            f"{c['field']} {c['op']} {json.dumps(c['value'], ensure_ascii=False)}"
            for c in part.get("conditions") or []
        )
        parts.append(
            f"{_(role)}: {part.get('subject', 'person')} · {label} · "
            f"{part.get('period', 'within')}" + (f" · {conditions}" if conditions else "")
        )
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------
# XLSX


def _fixed_zip(data: bytes, when: dt.date) -> bytes:
    """The same workbook with every member dated `when`, so two exports of the same figures are
    byte for byte the same (a zip records each member's modification time)."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + f"{when.isoformat()}T00:00:00Z".encode() + rb"\g<2>",
                    content,
                )
            dst.writestr(fixed, content)
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    moment = dt.datetime.combine(report.day, dt.time())
    wb.properties.created = moment
    wb.properties.modified = moment
    wb.properties.creator = "oila"
    wb.properties.title = f"{report.programme.name} {report.year}"

    sheet = wb.create_sheet(str(_("Indicators")))
    head = [_("Outcome"), _("Output"), _("Code"), _("Indicator"), _("Unit"), _("Baseline"),
            _("Baseline year")]  # fmt: skip
    for period in report.periods:
        head += [f"{period.label} {_('target')}", f"{period.label} {_('actual')}"]
    sheet.append([str(h) for h in head])
    for rep in report.indicators:
        ind = rep.indicator
        row: list[Any] = [
            ind.outcome.code,
            ind.output.code if ind.output_id else "",
            ind.code,
            ind.name,
            ind.get_unit_display(),
            _number(engine.as_number(ind.baseline_value)),
            ind.baseline_year,
        ]
        for period in report.periods:
            row += [_number(rep.targets[period.label]), _shown(rep.results[period.label].total)]
        sheet.append(row)

    sheet = wb.create_sheet(str(_("Disaggregations")))
    sheet.append([str(h) for h in (_("Code"), _("Indicator"), _("Period"), _("Disaggregation"),
                                    _("Group"), _("Numerator"), _("Denominator"), _("Value"))])  # fmt: skip
    for rep in report.indicators:
        for period in report.periods:
            result = rep.results[period.label]
            total = result.total
            sheet.append([rep.indicator.code, rep.indicator.name, period.label, str(_("total")),
                          "", total.numerator, total.denominator, _shown(total)])  # fmt: skip
            for dim, cells in result.breakdowns.items():
                for cell in cells:
                    sheet.append([rep.indicator.code, rep.indicator.name, period.label,
                                  engine.dimension_label(dim), cell.label, cell.numerator,
                                  cell.denominator, _shown(cell)])  # fmt: skip

    sheet = wb.create_sheet(str(_("Definitions")))
    sheet.append([str(h) for h in (_("Code"), _("Indicator"), _("Unit"), _("Definition"),
                                    _("What is counted"), _("Computation (JSON)"))])  # fmt: skip
    for rep in report.indicators:
        ind = rep.indicator
        sheet.append([ind.code, ind.name, ind.get_unit_display(), ind.definition_text,
                      describe(ind.definition),
                      json.dumps(ind.definition, ensure_ascii=False, sort_keys=True)])  # fmt: skip

    sheet = wb.create_sheet(str(_("Beneficiary status")))
    sheet.append([str(h) for h in (_("Period"), _("Active at the start"), _("Newly enrolled"),
                                    _("Graduated"), _("Transferred"), _("Exited"),
                                    _("Active at the end"))])  # fmt: skip
    for s in report.status:
        sheet.append([s.period.label, s.opening, s.new, s.graduated, s.transferred, s.exited,
                      s.closing])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return _fixed_zip(out.getvalue(), report.day)


# ---------------------------------------------------------------------------------------------------
# PDF


def indicator_charts(rep: IndicatorReport, year_label: str) -> dict[str, Any]:
    """The trend (quarters, with targets) and the breakdowns of the year, as chart geometry."""
    ind = rep.indicator
    trend = []
    for label, result in rep.results.items():
        if label == year_label:
            continue
        trend.append((label[-2:], result.value, result.total.display, rep.targets.get(label)))
    year = rep.results[year_label]
    breakdowns = []
    for dim, cells in year.breakdowns.items():
        items = [(c.label, c.value, c.display, None) for c in cells]
        breakdowns.append(
            (engine.dimension_label(dim), charts.rows(items, percentage=ind.is_percentage))
        )
    return {
        "trend": charts.columns(trend, percentage=ind.is_percentage),
        "breakdowns": breakdowns,
    }


def _area(programme: Programme) -> list[District]:
    districts = list(programme.districts.select_related("region").order_by("soato"))
    return districts or list(District.objects.select_related("region").order_by("soato"))


def to_pdf(report: Report) -> bytes:
    from weasyprint import CSS, HTML

    year_label = str(report.year)
    districts = _area(report.programme)
    regions = Region.objects.filter(pk__in={d.region_id for d in districts}).order_by("soato")
    items = [
        {"rep": rep, "year": rep.results[year_label], "target": rep.targets[year_label],
         **indicator_charts(rep, year_label)}
        for rep in report.indicators
    ]  # fmt: skip
    html = render_to_string(
        "results/report_pdf.html",
        {"report": report, "items": items, "districts": districts, "regions": regions,
         "created": report.day.isoformat()},
    )  # fmt: skip
    # The embedded font subsets carry a "modified" time; fontTools takes it from SOURCE_DATE_EPOCH
    # (reproducible-builds.org) when set, so the same report gives the same bytes.
    epoch = str(int(dt.datetime.combine(report.day, dt.time(), dt.UTC).timestamp()))
    with _PDF_LOCK:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = epoch
        try:
            return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_STYLE)]))
        finally:
            if previous is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous


# ---------------------------------------------------------------------------------------------------
# IATI 2.03


def _narrative(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    etree.SubElement(element, "narrative").text = text
    return element


def org_ref(programme: Programme) -> str:
    """The reporting organisation's IATI identifier: the programme setting `iati_org_ref`, or a
    placeholder in IATI's "XI" (non-registered) style until the organisation has one."""
    return (programme.settings or {}).get("iati_org_ref") or f"XI-OILA-{programme.organisation_id}"


def _actual(period: etree._Element, cell: engine.Cell, dim: str | None = None) -> None:
    """One <actual>: the total, or one disaggregated value with its <dimension>."""
    actual = etree.SubElement(period, "actual")
    if dim is not None:
        value = cell.label if dim == "district" else (cell.key or "")
        etree.SubElement(actual, "dimension", name=dim, value=value)
    if cell.value is not None:
        actual.set("value", str(_number(cell.value)))
    else:  # a percentage over nobody: "no data", never 0 %
        _narrative(actual, "comment", str(_("no data")))


def to_iati(report: Report) -> bytes:
    programme = report.programme
    ref = org_ref(programme)
    root = etree.Element("iati-activities", version="2.03",
                         **{"generated-datetime": f"{report.day.isoformat()}T00:00:00Z"})  # fmt: skip
    activity = etree.SubElement(
        root,
        "iati-activity",
        **{"default-currency": "EUR", "last-updated-datetime": f"{report.day.isoformat()}T00:00:00Z",
           "{http://www.w3.org/XML/1998/namespace}lang": "en"},
    )  # fmt: skip
    etree.SubElement(activity, "iati-identifier").text = f"{ref}-{programme.slug.upper()}"
    reporting = etree.SubElement(activity, "reporting-org", ref=ref, type="21")
    etree.SubElement(reporting, "narrative").text = programme.organisation.name
    _narrative(activity, "title", programme.name)
    description = programme.description or programme.name
    _narrative(activity, "description", description).set("type", "1")
    participating = etree.SubElement(activity, "participating-org", ref=ref, role="4", type="21")
    etree.SubElement(participating, "narrative").text = programme.organisation.name
    finished = programme.ends_on is not None and programme.ends_on < report.day
    etree.SubElement(activity, "activity-status", code="3" if finished else "2")
    etree.SubElement(
        activity, "activity-date", {"type": "2", "iso-date": programme.starts_on.isoformat()}
    )
    if programme.ends_on:
        end_type = "4" if finished else "3"
        etree.SubElement(
            activity, "activity-date", {"type": end_type, "iso-date": programme.ends_on.isoformat()}
        )
    etree.SubElement(activity, "recipient-country", code="UZ", percentage="100")
    for rep in report.indicators:
        ind = rep.indicator
        result_el = etree.SubElement(activity, "result", type="1" if ind.output_id else "2",
                                     **{"aggregation-status": "0"})  # fmt: skip
        holder = ind.output if ind.output_id else ind.outcome
        _narrative(result_el, "title", f"{holder.code} {holder.title}")
        indicator_el = etree.SubElement(
            result_el, "indicator", measure=IATI_MEASURE[ind.unit], ascending="1"
        )
        _narrative(indicator_el, "title", f"{ind.code} {ind.name}")
        if ind.definition_text:
            _narrative(indicator_el, "description", ind.definition_text)
        if ind.baseline_value is not None:
            baseline = etree.SubElement(
                indicator_el,
                "baseline",
                year=str(ind.baseline_year or programme.starts_on.year),
                value=str(_number(engine.as_number(ind.baseline_value))),
            )
            baseline.set("iso-date", f"{ind.baseline_year or programme.starts_on.year}-01-01")
        for period in report.periods:
            result = rep.results[period.label]
            target = rep.targets[period.label]
            period_el = etree.SubElement(indicator_el, "period")
            etree.SubElement(period_el, "period-start").set("iso-date", period.start.isoformat())
            etree.SubElement(period_el, "period-end").set("iso-date", period.end.isoformat())
            if target is not None:
                etree.SubElement(period_el, "target", value=str(_number(target)))
            _actual(period_el, result.total)
            for dim, cells in result.breakdowns.items():
                for cell in cells:
                    if cell.key is not None:
                        _actual(period_el, cell, dim)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
