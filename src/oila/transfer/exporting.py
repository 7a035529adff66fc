"""Exports of the lists a user can see, with the list's own filters, as CSV or XLSX.

Each list is defined once here: the filter form of its page (so an export holds exactly the rows the
page shows), the rows a user may export (the list's selector, so its visibility rule), and two sets of
columns: the staff's, and the pseudonymised set an M&E officer gets (DESIGN.md roles table) — no
names, PINFL, phone, address or narratives; a stable pseudonym (a keyed hash of the record's id, with
the installation's hash key) instead of ids; a birth year and an age band instead of a birth date.

Rows are read with `values_list(...).iterator(chunk_size)` (a server-side cursor on PostgreSQL) and
written as they come: memory does not grow with the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Role, User
from oila.accounts.rules import works_with_cases
from oila.cases import selectors as cases
from oila.cases.forms import CaseFilterForm
from oila.cases.models import Case
from oila.common.crypto import keyed_hash
from oila.common.dates import today
from oila.registry import selectors as registry
from oila.registry.forms import HouseholdFilterForm
from oila.registry.models import Enrolment, Household, Membership, Person
from oila.support import selectors as support
from oila.support.forms import DeliveryFilterForm, ReferralFilterForm
from oila.support.models import Referral, ServiceDelivery

CHUNK = 2000
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


def pseudonym(kind: str, pk: Any) -> str:
    """A stable pseudonym for a record: the same record always gets the same one, and it cannot be
    turned back into the record without the installation's hash key (oila.common.crypto)."""
    if pk is None:
        return ""
    return keyed_hash(f"pseudonym:{kind}:{pk}")[:16]


AGE_BANDS = ((0, 4), (5, 9), (10, 14), (15, 17), (18, 24), (25, 59), (60, 200))


def age_band(birth: dt.date | None, on: dt.date) -> str:
    """The age band (UN disaggregation) of someone born on `birth`, on a day."""
    if birth is None:
        return ""
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}–{high}"
    return ""


_RISKY = "=+-@\t\r"
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_PHONE_OR_NUMBER = re.compile(r"^[+\-]?[\d\s().-]+$")


def cell(value: Any) -> Any:
    """A value as a spreadsheet should get it. Text that a spreadsheet would run as a formula gets a
    leading apostrophe (OWASP: CSV injection); phone numbers and numbers are left as they are."""
    if isinstance(value, str) and _FORMULA.match(value) and not _PHONE_OR_NUMBER.match(value):
        return "'" + value
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@dataclass(frozen=True)
class Col:
    label: Promise
    path: str  # what values_list reads
    fmt: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ExportList:
    key: str
    label: Promise
    form: type[forms.Form]
    staff: tuple[Col, ...]
    pseudonymised: tuple[Col, ...]
    rows: Callable[[User, forms.Form], QuerySet[Any]]
    programme_rows: Callable[[User, forms.Form], QuerySet[Any]]


def pseudonymised_for(user: Any) -> bool:
    """Whose exports are pseudonymised: the M&E officers'."""
    return bool(getattr(user, "role", "") == Role.ME_OFFICER)


def may_export(user: Any) -> bool:
    """Who may export lists: the case roles (their own scope) and M&E officers (pseudonymised)."""
    return bool(works_with_cases(user) or (user.is_active and pseudonymised_for(user)))


def _programme_scope(user: User) -> Q:
    # M&E officers see no record in the lists; an export gives them their programmes' rows, but only
    # ever pseudonymised (see `columns_for`).
    return Q(programme__in=user.programmes.all())


def _household_filters(form: forms.Form, *, names: bool) -> registry.HouseholdFilters:
    filters: registry.HouseholdFilters = form.filters()  # type: ignore[attr-defined]
    # A name search would let a pseudonymised export tell who is in it: M&E exports ignore it.
    return filters if names else replace(filters, q="")


def _households(user: User, form: forms.Form) -> QuerySet[Any]:
    return registry.household_list(user=user, filters=_household_filters(form, names=True))


def _programme_households(user: User, form: forms.Form) -> QuerySet[Any]:
    qs = Household.objects.filter(_programme_scope(user))
    filters = _household_filters(form, names=False)
    return registry.household_filter(qs, filters).order_by("name", "id")


def _people_filtered(qs: QuerySet[Person], f: registry.HouseholdFilters) -> QuerySet[Person]:
    """People by the household list's filters: their current household's place, their enrolment."""
    if f.district or f.mahalla:
        current = Membership.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
        if f.district:
            current = current.filter(household__district=f.district)
        if f.mahalla:
            current = current.filter(household__mahalla=f.mahalla)
        qs = qs.filter(Exists(current))
    lookups = {k: v for k, v in (("group", f.group), ("status", f.status)) if v}
    if lookups:
        qs = qs.filter(Exists(Enrolment.objects.filter(person=OuterRef("pk"), **lookups)))
    return qs


def _people(user: User, form: forms.Form) -> QuerySet[Any]:
    f = _household_filters(form, names=True)
    return _people_filtered(registry.person_list(user=user, q=f.q), f)


def _programme_people(user: User, form: forms.Form) -> QuerySet[Any]:
    f = _household_filters(form, names=False)
    qs = Person.objects.filter(_programme_scope(user), merged_into__isnull=True)
    return _people_filtered(qs, f).order_by("id")


def _cases(user: User, form: forms.Form) -> QuerySet[Any]:
    return cases.case_list(user=user, filters=form.filters())  # type: ignore[attr-defined]


def _programme_cases(user: User, form: forms.Form) -> QuerySet[Any]:
    filters = replace(form.filters(), q="")  # type: ignore[attr-defined]
    return cases.case_filter(Case.objects.filter(_programme_scope(user)), filters).order_by(
        "-opened_on", "id"
    )


def _deliveries(user: User, form: forms.Form) -> QuerySet[Any]:
    return support.delivery_list(user=user, filters=form.filters())  # type: ignore[attr-defined]


def _programme_deliveries(user: User, form: forms.Form) -> QuerySet[Any]:
    qs = ServiceDelivery.objects.filter(_programme_scope(user))
    filters = form.filters()  # type: ignore[attr-defined]
    return support.delivery_filter(qs, filters).order_by("-delivered_on", "id")


def _referral_filters(form: forms.Form) -> support.ReferralFilters:
    return support.ReferralFilters(**form.values())  # type: ignore[attr-defined]


def _referrals(user: User, form: forms.Form) -> QuerySet[Any]:
    return support.referral_list(user=user, filters=_referral_filters(form))


def _programme_referrals(user: User, form: forms.Form) -> QuerySet[Any]:
    qs = Referral.objects.filter(_programme_scope(user))
    return support.referral_filter(qs, _referral_filters(form)).order_by("-created_at", "id")


def _p(kind: str) -> Callable[[Any], str]:
    return lambda pk: pseudonym(kind, pk)


def _year(value: dt.date | None) -> Any:
    return value.year if value else ""


def _band(value: dt.date | None) -> str:
    """The age band today (export_rows puts the day it read once in its place)."""
    return age_band(value, today())


def _decimal(value: Any) -> str:
    return "" if value is None else str(Decimal(value))


def _month(value: dt.date | None) -> str:
    return value.strftime("%Y-%m") if value else ""


LISTS: dict[str, ExportList] = {
    "households": ExportList(
        "households",
        _("Households"),
        HouseholdFilterForm,
        staff=(
            Col(_("id"), "id"),
            Col(_("Household id"), "external_id"),
            Col(_("Family name of the household"), "name"),
            Col(_("Kind of household"), "kind"),
            Col(_("District"), "district__name_uz"),
            Col(_("SOATO code"), "district__soato"),
            Col(_("Mahalla"), "mahalla__name_uz"),
            Col(_("Address"), "address"),
            Col(_("Phone"), "phone"),
            Col(_("Housing"), "housing"),
            Col(_("Monthly income (UZS)"), "monthly_income_uzs"),
            Col(_("Members"), "member_count"),
            Col(_("Caseworker"), "caseworker__username"),
            Col(_("Registered on"), "created_at", lambda v: v.date() if v else ""),
        ),
        pseudonymised=(
            Col(_("Pseudonym"), "id", _p("household")),
            Col(_("Kind of household"), "kind"),
            Col(_("District"), "district__name_uz"),
            Col(_("SOATO code"), "district__soato"),
            Col(_("Housing"), "housing"),
            Col(_("Registered in"), "created_at", lambda v: v.strftime("%Y-%m") if v else ""),
        ),
        rows=_households,
        programme_rows=_programme_households,
    ),
    "people": ExportList(
        "people",
        _("People"),
        HouseholdFilterForm,
        staff=(
            Col(_("id"), "id"),
            Col(_("Person id"), "external_id"),
            Col(_("Given name"), "given_name"),
            Col(_("Family name"), "family_name"),
            Col(_("Patronymic"), "patronymic"),
            Col(_("Sex"), "sex"),
            Col(_("Date of birth"), "birth_date"),
            Col(_("Date of birth is estimated"), "birth_date_estimated", int),
            Col(_("PINFL"), "pinfl"),
            Col(_("Phone"), "phone"),
            Col(_("Has a disability"), "has_disability", int),
        ),
        pseudonymised=(
            Col(_("Pseudonym"), "id", _p("person")),
            Col(_("Sex"), "sex"),
            Col(_("Year of birth"), "birth_date", _year),
            Col(_("Age band"), "birth_date", _band),
            Col(_("Has a disability"), "has_disability", int),
        ),
        rows=_people,
        programme_rows=_programme_people,
    ),
    "cases": ExportList(
        "cases",
        _("Cases"),
        CaseFilterForm,
        staff=(
            Col(_("Case number"), "number"),
            Col(_("Kind"), "kind"),
            Col(_("Status"), "status"),
            Col(_("Risk level"), "risk"),
            Col(_("Step"), "step"),
            Col(_("Opened on"), "opened_on"),
            Col(_("Closed on"), "closed_on"),
            Col(_("Household"), "household__name"),
            Col(_("Given name"), "subject__given_name"),
            Col(_("Family name"), "subject__family_name"),
            Col(_("Caseworker"), "caseworker__username"),
        ),
        pseudonymised=(
            Col(_("Pseudonym"), "id", _p("case")),
            Col(_("Kind"), "kind"),
            Col(_("Status"), "status"),
            Col(_("Risk level"), "risk"),
            Col(_("Step"), "step"),
            Col(_("Opened in"), "opened_on", _month),
            Col(_("Closed in"), "closed_on", _month),
            Col(_("Household pseudonym"), "household_id", _p("household")),
            Col(_("Child's pseudonym"), "subject_id", _p("person")),
        ),
        rows=_cases,
        programme_rows=_programme_cases,
    ),
    "deliveries": ExportList(
        "deliveries",
        _("Services"),
        DeliveryFilterForm,
        staff=(
            Col(_("id"), "id"),
            Col(_("Service record id"), "external_id"),
            Col(_("Date"), "delivered_on"),
            Col(_("Service"), "service_type__code"),
            Col(_("Kind"), "kind"),
            Col(_("Present"), "present"),
            Col(_("Duration (minutes)"), "duration_minutes"),
            Col(_("Quantity"), "quantity", _decimal),
            Col(_("Cost (UZS)"), "cost_uzs"),
            Col(_("Provided by (staff)"), "provider_user__username"),
            Col(_("Provided by (agency)"), "provider_organisation__name"),
            Col(_("Case number"), "case__number"),
        ),
        pseudonymised=(
            Col(_("Pseudonym"), "id", _p("delivery")),
            Col(_("Date"), "delivered_on"),
            Col(_("Service"), "service_type__code"),
            Col(_("Kind"), "kind"),
            Col(_("Duration (minutes)"), "duration_minutes"),
            Col(_("Quantity"), "quantity", _decimal),
            Col(_("Cost (UZS)"), "cost_uzs"),
            Col(_("Provided by (agency)"), "provider_organisation__name"),
            Col(_("Case pseudonym"), "case_id", _p("case")),
        ),
        rows=_deliveries,
        programme_rows=_programme_deliveries,
    ),
    "referrals": ExportList(
        "referrals",
        _("Referrals"),
        ReferralFilterForm,
        staff=(
            Col(_("id"), "id"),
            Col(_("Sent on"), "created_at", lambda v: v.date() if v else ""),
            Col(_("Service"), "service_type__code"),
            Col(_("Status"), "status"),
            Col(_("Urgency"), "urgency"),
            Col(_("Referred to"), "to_organisation__name"),
            Col(_("Answer due by"), "response_due_on"),
            Col(_("Case number"), "case__number"),
            Col(_("Given name"), "person__given_name"),
            Col(_("Family name"), "person__family_name"),
            Col(_("Household"), "household__name"),
        ),
        pseudonymised=(
            Col(_("Pseudonym"), "id", _p("referral")),
            Col(_("Sent in"), "created_at", lambda v: v.strftime("%Y-%m") if v else ""),
            Col(_("Service"), "service_type__code"),
            Col(_("Status"), "status"),
            Col(_("Urgency"), "urgency"),
            Col(_("Referred to"), "to_organisation__name"),
            Col(_("Case pseudonym"), "case_id", _p("case")),
        ),
        rows=_referrals,
        programme_rows=_programme_referrals,
    ),
}


def form_for(list_key: str, query: dict[str, Any]) -> forms.Form:
    return LISTS[list_key].form(query)


def queryset_for(user: User, list_key: str, query: dict[str, Any]) -> QuerySet[Any]:
    """The rows of a list the user may export, with the list page's filters (a query string)."""
    spec = LISTS[list_key]
    form = spec.form(query)
    if pseudonymised_for(user):
        return spec.programme_rows(user, form)
    return spec.rows(user, form)


def columns_for(user: User, list_key: str) -> tuple[Col, ...]:
    spec = LISTS[list_key]
    return spec.pseudonymised if pseudonymised_for(user) else spec.staff


def export_rows(qs: QuerySet[Any], columns: tuple[Col, ...]) -> Iterator[list[Any]]:
    """The rows of an export, read in chunks and formatted one by one (constant memory)."""
    paths = list(dict.fromkeys(c.path for c in columns))
    where = [paths.index(c.path) for c in columns]
    # What each column needs beyond copying, worked out once: a format, a formula guard on text.
    day = today()  # the age bands' day, read once (per row it cost a quarter of the export)
    formatted = [
        (j, (lambda value: age_band(value, day)) if c.fmt is _band else c.fmt)
        for j, c in enumerate(columns)
        if c.fmt is not None
    ]
    plain = [j for j, c in enumerate(columns) if c.fmt is None]
    for values in qs.values_list(*paths).iterator(chunk_size=CHUNK):
        row = [values[i] for i in where]
        for j, fmt in formatted:
            row[j] = cell(fmt(row[j]))  # type: ignore[misc]
        for j in plain:
            value = row[j]
            if value.__class__ is str:
                if value and value[0] in _RISKY:
                    row[j] = cell(value)
            elif value is not None and value.__class__ is not int:
                row[j] = cell(value)
        yield row


def write_csv(
    path: Path,
    header: list[str],
    rows: Iterator[list[Any]],
    progress: Callable[[int], None] | None = None,
    every: int = 10_000,
) -> int:
    """Write rows to a CSV file as they come (UTF-8 with a byte-order mark, which Excel needs)."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        write = writer.writerow  # None is written as an empty cell
        for row in rows:
            write(row)
            count += 1
            if progress is not None and count % every == 0:
                progress(count)
    return count


def write_xlsx(
    path: Path,
    header: list[str],
    rows: Iterator[list[Any]],
    progress: Callable[[int], None] | None = None,
    every: int = 10_000,
) -> int:
    """Write rows to an XLSX workbook in openpyxl's write-only mode (rows stream to disk)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(header)
    count = 0
    for row in rows:
        if count >= XLSX_MAX_ROWS:
            raise OverflowError
        sheet.append(row)
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    book.save(path)
    return count
