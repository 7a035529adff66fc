"""Checking and importing a register: every row read, every problem named, then all or nothing.

One pass over the file does both the dry run and the commit. Rows are read in batches; each batch's
references (households, people, places, services) are looked up in a few queries; each new person goes
through the registry's check at entry (`person_candidates`). In a commit, what each batch would write
is queued; when the whole file has been checked without an error, the queue is written through the
registry and support services (so their rules and audit events hold), inside the one transaction that
`services.import_commit_run` opens. Checking everything first means the check at entry sees the
registry as the dry run saw it (not the people this very file adds), and a file with any error writes
nothing; a row the services still refuse stops the writing, and the caller rolls back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from oila.accounts.models import Organisation, Programme, User
from oila.accounts.selectors import programmes_of
from oila.common.bulk import fewer_collections
from oila.common.errors import ApplicationError
from oila.common.names import name_keys
from oila.geo.models import District, Mahalla
from oila.registry import services as registry
from oila.registry.matching import Candidate, EntryDecision, person_candidates_many
from oila.registry.models import Enrolment, Household, Person
from oila.registry.visibility import owned_scope
from oila.support import services as support
from oila.support.models import ServiceDelivery, ServiceType
from oila.transfer.columns import IMPORT_TYPES, Column, ImportType, choice_map, fold, header_map
from oila.transfer.problems import Report
from oila.transfer.reading import FileProblem, column_letter, open_sheet

BATCH = 500
PERSON_FIELDS = ("given_name", "family_name", "patronymic", "sex", "birth_date", "pinfl")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: Any) -> tuple[dt.date | None, str, bool]:
    """A cell as a date: (the date or None, the format it was written in, whether it is ambiguous).

    Day-first is the rule in Uzbekistan; a slashed date whose day and month could be swapped (both at
    most 12 and different) is flagged, because spreadsheets made abroad write the month first.
    """
    if isinstance(value, dt.datetime):
        return value.date(), "excel", False
    if isinstance(value, dt.date):
        return value, "excel", False
    text = str(value).strip()
    for pattern, fmt in ((_ISO, "iso"), (_DOT, "dot"), (_SLASH, "slash")):
        match = pattern.match(text)
        if not match:
            continue
        a, b, c = (int(g) for g in match.groups())
        year, month, day = (a, b, c) if fmt == "iso" else (c, b, a)
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None, fmt, False
        return date, fmt, fmt == "slash" and day <= 12 and month <= 12 and day != month
    return None, "", False


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


@dataclass
class Pending:
    """A row of a dry run listed as a possible duplicate: written only if the user confirms it."""

    index: int  # its item's place in the Write's payload
    # The registry's people the check at entry found like this one (keys, scores and reasons: what
    # the commit records with the user's choice; the registry is unchanged when a plan is replayed).
    found: tuple[Candidate, ...]
    in_file: bool  # like an earlier row of the file (a warning)
    candidates: bool  # like people in the registry (a warning)


@dataclass
class Write:
    """One service call an import makes: "households" or "people" (bulk, `payload` their items),
    "enrolment" or "delivery" (one row, `payload` the call's arguments). A commit queues them while
    it checks; a dry run keeps them in its plan (transfer.plans), with the rows it listed as possible
    duplicates in `pending`."""

    kind: str
    rows: list[int]
    payload: Any
    pending: list[Pending] = field(default_factory=list)


@dataclass
class Row:
    number: int
    data: dict[str, Any] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)
    ok: bool = True
    entry: EntryDecision | None = None


_PLACE_WORDS = re.compile(r"\b(tumani|shahri|тумани|шаҳри|район|город|district|city)\b")


@dataclass
class Places:
    """Districts and mahallas by every name they go by (any script) and by code."""

    districts: dict[str, District]
    mahallas: dict[tuple[Any, str], Mahalla]

    @classmethod
    def load(cls) -> Places:
        districts: dict[str, District] = {}
        for district in District.objects.all():
            for name in (district.soato, district.name_uz, district.name_uz_cyrl, district.name_ru):
                if name:
                    districts.setdefault(fold(name), district)
                    # "Urganch tumani", "город Хива": the bare name matches too.
                    districts.setdefault(_PLACE_WORDS.sub("", fold(name)).strip(), district)
        mahallas: dict[tuple[Any, str], Mahalla] = {}
        for mahalla in Mahalla.objects.all():
            for name in (mahalla.code, mahalla.name_uz, mahalla.name_uz_cyrl, mahalla.name_ru):
                if name:
                    mahallas.setdefault((mahalla.district_id, fold(name)), mahalla)
                    bare = re.sub(r"\s*(mfy|мфй|мсг)$", "", fold(name))
                    mahallas.setdefault((mahalla.district_id, bare), mahalla)
        return cls(districts, mahallas)


class Importer:
    """Checks (and with `commit`, imports) one file of one import type for one user."""

    def __init__(
        self,
        *,
        actor: User,
        type_key: str,
        commit: bool = False,
        confirmed: Iterable[int] = (),
        progress: Callable[[int, int], None] | None = None,
        plan: Callable[[Write], None] | None = None,
    ) -> None:
        self.actor = actor
        # A dry run's plan: every Write a commit of the file would make (transfer.plans).
        self.plan = plan
        self.type: ImportType = IMPORT_TYPES[type_key]
        self.commit = commit
        self.confirmed = set(confirmed)
        self.progress = progress or (lambda done, total: None)
        self.report = Report(type_key, int(settings.OILA_IMPORT_MAX_PROBLEMS))
        self.programme: Programme | None = programmes_of(user=actor).first()
        self.places: Places | None = None
        self.seen_rows: dict[bytes, int] = {}
        self.seen_ids: dict[str, int] = {}
        self.seen_pinfls: dict[str, int] = {}
        self.seen_people: dict[tuple[str, str], int] = {}
        self.missing: set[str] = set()
        self.letters: dict[str, str] = {}  # column key -> its letter, shared by every row
        # Enrolments this file adds, across batches (they are written only at the end).
        self.enrolling: set[tuple[Any, ...]] = set()
        # A commit's writes, queued while the file is checked.
        self.queue: list[Write] = []
        self.services: dict[str, ServiceType] = {}
        self.agencies: dict[str, Organisation] = {}

    # -----------------------------------------------------------------------------------------------
    # The whole file

    def run(self, path: Path, *, total: int = 0) -> Report:
        """Check the file; in a commit, then write it (only when no row has an error)."""
        self.queue = []
        with fewer_collections():
            report = self._pass(path, total)
            if self.commit and not report.blocked:
                self._flush(report)
        report.finish()
        self.progress(report.rows, report.rows)
        return report

    def replay(self, writes: Iterable[Write], checked: dict[str, Any]) -> Report:
        """A commit made from its dry run's plan (transfer.plans): the dry run's report (`checked`),
        then the plan's writes, each row listed as a possible duplicate written as confirmed (the
        caller made sure every one is, and gives the columns' letters in `letters`). The registry
        is as the dry run saw it: checking the file a second time would find what it found."""
        report = self.report = Report.restore(checked, self.report.limit)
        with fewer_collections():
            for write in writes:
                if report.blocked:
                    break
                if write.pending:
                    self._confirm(write)
                self.apply(write)
                self.progress(min(report.written, report.rows), report.rows)
        self.progress(report.rows, report.rows)
        return report

    def _confirm(self, write: Write) -> None:
        """The user's choice for the listed rows of a planned write, as a commit records it: a new
        person, with the candidates the check at entry offered (as the dry run found them: a plan
        is replayed only when nothing was written since)."""
        for pending in write.pending:
            write.payload[pending.index]["entry"] = EntryDecision("new", pending.found)
            self.report.confirmed(write.rows[pending.index], pending.in_file + pending.candidates)
        write.pending = []

    def _progress(self, done: int, total: int) -> None:
        # A commit spends about as long writing as checking: checking fills the first half.
        self.progress(done // 2 if self.commit else done, total)

    def _flush(self, report: Report) -> None:
        """Write what the check queued, batch by batch, until the services refuse a row."""
        rows = report.rows
        for done, write in enumerate(self.queue, start=1):
            if report.blocked:
                break
            self.apply(write)
            self.progress(rows // 2 + rows * done // (2 * len(self.queue)), rows)
        self.queue = []

    def apply(self, write: Write) -> None:
        """Make one queued or planned service call; what it refuses becomes its rows' errors."""
        rows = [Row(number, letters=self.letters) for number in write.rows]
        if write.kind == "people":
            items = write.payload
            self._do_write_many(
                rows, lambda: registry.people_import(actor=self.actor, items=items, validated=True)
            )
        elif write.kind == "households":
            items = write.payload
            self._do_write_many(
                rows,
                lambda: registry.households_import(
                    actor=self.actor, items=items, programme=self.programme, validated=True
                ),
            )
        elif write.kind == "enrolment":
            kwargs = write.payload
            self._do_write(
                rows[0],
                lambda: registry.enrolment_create(
                    actor=self.actor, programme=self.programme, **kwargs
                ),
            )
        else:
            kwargs = write.payload
            self._do_write(rows[0], lambda: support.delivery_record(actor=self.actor, **kwargs))

    def _pass(self, path: Path, total: int) -> Report:
        report = self.report
        if self.programme is None:
            report.add(0, "", "", "no_programme")
            return report
        try:
            sheet = open_sheet(path)
        except FileProblem as problem:
            report.add(0, "", "", problem.code, **problem.params)
            return report
        report.format, report.encoding = sheet.format, sheet.encoding
        try:
            # Rows are checked even when a header is wrong: the report names every problem at once.
            columns = self._headers(sheet.headers)
            self.letters = {key: column_letter(i) for i, key in enumerate(columns) if key}
            self.missing = {c.key for c in self.type.columns} - {c for c in columns if c}
            for ref in sheet.merged:
                top_left = ref.split(":")[0]
                letters = "".join(c for c in top_left if c.isalpha())
                number = int("".join(c for c in top_left if c.isdigit()) or 0)
                report.add(number, letters, "", "merged", range=ref)
            self._load_lookups()
            batch: list[Row] = []
            for number, values in sheet.rows:
                if not any(v is not None for v in values):
                    continue
                if isinstance(values[0], str) and values[0].startswith("#"):
                    continue  # the explanation row of a CSV template
                report.rows += 1
                batch.append(self._parse(number, values, columns))
                if len(batch) >= BATCH:
                    self._batch(batch)
                    batch = []
                    self._progress(report.rows, max(total, report.rows))
            if batch:
                self._batch(batch)
            if not report.rows:
                report.add(0, "", "", "no_rows")
        except FileProblem as problem:
            report.add(0, "", "", problem.code, **problem.params)
        finally:
            sheet.close()
        return report

    def _headers(self, headers: list[str]) -> list[str | None]:
        forms = header_map(self.type.key)
        columns: list[str | None] = []
        found: set[str] = set()
        for index, header in enumerate(headers):
            key = forms.get(fold(header)) if header else None
            if header and key is None:
                self.report.add(1, column_letter(index), "", "unknown_header", header=header)
            elif key in found:
                self.report.add(
                    1, column_letter(index), key or "", "repeated_header", header=header
                )
                key = None
            if key:
                found.add(key)
            columns.append(key)
        for column in self.type.columns:
            if column.required and column.key not in found:
                self.report.add(1, "", column.key, "missing_header", name=column.key)
        return columns

    def _load_lookups(self) -> None:
        kinds = {c.kind for c in self.type.columns}
        if kinds & {"district", "mahalla"}:
            self.places = Places.load()
        if "service" in kinds:
            for service in ServiceType.objects.filter(programme=self.programme, active=True):
                self.services.setdefault(fold(service.code), service)
                for name in (service.names or {}).values():
                    if name:
                        self.services.setdefault(fold(name), service)
        if "agency" in kinds:
            for organisation in Organisation.objects.all():
                self.agencies.setdefault(fold(organisation.name), organisation)

    # -----------------------------------------------------------------------------------------------
    # One row's cells

    def _parse(self, number: int, values: list[Any], columns: list[str | None]) -> Row:
        row = Row(number, letters=self.letters)
        raw = {
            key: values[index] if index < len(values) else None
            for index, key in enumerate(columns)
            if key is not None
        }
        signature = hashlib.blake2b(
            repr(sorted((k, _text(v)) for k, v in raw.items() if v is not None)).encode(),
            digest_size=16,
        ).digest()
        first = self.seen_rows.setdefault(signature, number)
        if first != number:
            self._error(row, "", "duplicate_row", first=first)
            return row
        for column in self.type.columns:
            self._cell(row, column, raw.get(column.key))
        if self.places is not None and row.data.get("district") is not None:
            self._mahalla(row)
        ext = row.data.get("external_id")
        if ext:
            first = self.seen_ids.setdefault(ext, number)
            if first != number:
                self._error(row, "external_id", "duplicate_id", value=ext, first=first)
        for key in ("pinfl", "head_pinfl"):
            pinfl = row.data.get(key)
            if pinfl:
                first = self.seen_pinfls.setdefault(pinfl, number)
                if first != number:
                    self._error(row, key, "duplicate_pinfl", first=first)
        return row

    def _error(self, row: Row, key: str, code: str, level: str = "error", **params: Any) -> None:
        if level == "error":
            row.ok = False
        self.report.add(row.number, row.letters.get(key, ""), key, code, level, **params)

    def _cell(self, row: Row, column: Column, value: Any) -> None:
        key = column.key
        if value is None or value == "":
            if column.required and key not in self.missing:  # a missing column is reported once
                self._error(row, key, "required")
                return
            row.ok = row.ok and not column.required
            return
        kind = column.kind
        if kind == "date":
            date, fmt, ambiguous = parse_date(value)
            if date is None:
                self._error(row, key, "bad_date", value=_text(value))
                return
            self.report.date_seen(fmt, row.number)
            if ambiguous:
                self._error(
                    row, key, "ambiguous_date", "warning", value=_text(value), day=date.day,
                    month=date.month,
                )  # fmt: skip
            row.data[key] = date
        elif kind == "int":
            text = _text(value).replace(" ", "").replace("\u00a0", "")
            if not text.isdigit():
                self._error(row, key, "bad_number", value=_text(value))
                return
            row.data[key] = int(text)
        elif kind == "decimal":
            try:
                number = Decimal(_text(value).replace(" ", "").replace(",", "."))
            except InvalidOperation:
                number = Decimal(-1)
            if not number.is_finite() or number < 0:
                self._error(row, key, "bad_decimal", value=_text(value))
                return
            row.data[key] = number
        elif kind == "choice":
            assert column.choices is not None
            found = choice_map(column.choices).get(fold(value))
            if found is None:
                allowed = ", ".join(str(v) for v in column.choices.values)
                self._error(row, key, "bad_choice", value=_text(value), allowed=allowed)
                return
            row.data[key] = found
        elif kind == "pinfl":
            text = _text(value).replace(" ", "")
            if not (len(text) == 14 and text.isdigit()):
                self._error(row, key, "bad_pinfl", value=_text(value))
                return
            row.data[key] = text
        elif kind == "district":
            assert self.places is not None
            district = self.places.districts.get(fold(_text(value)))
            if district is None:
                self._error(row, key, "unknown_district", value=_text(value))
                return
            row.data[key] = district
        elif kind == "mahalla":
            row.data[key] = _text(value)  # resolved once the district is known
        elif kind == "service":
            service = self.services.get(fold(_text(value)))
            if service is None:
                self._error(row, key, "unknown_service", value=_text(value))
                return
            row.data[key] = service
        elif kind == "agency":
            agency = self.agencies.get(fold(_text(value)))
            if agency is None:
                self._error(row, key, "unknown_agency", value=_text(value))
                return
            row.data[key] = agency
        else:
            text = _text(value)
            if len(text) > column.max_length:
                self._error(row, key, "too_long", max=column.max_length)
                return
            row.data[key] = text

    def _mahalla(self, row: Row) -> None:
        assert self.places is not None
        name = row.data.get("mahalla")
        if not name:
            row.data.pop("mahalla", None)
            return
        district = row.data["district"]
        key = fold(name)
        mahalla = self.places.mahallas.get((district.pk, key)) or self.places.mahallas.get(
            (district.pk, re.sub(r"\s*(mfy|мфй|мсг)$", "", key))
        )
        if mahalla is None:
            self._error(row, "mahalla", "unknown_mahalla", value=name)
            row.data.pop("mahalla", None)
            return
        row.data["mahalla"] = mahalla

    # -----------------------------------------------------------------------------------------------
    # A batch of rows: references, duplicates, writes

    def _batch(self, rows: list[Row]) -> None:
        handler = getattr(self, f"_batch_{self.type.key}")
        handler([r for r in rows if r.ok])

    def _write(self, write: Write) -> None:
        """Queue a service call (a commit writes once the whole file is checked), or keep it in the
        dry run's plan (until a row has an error: a file with errors is not committed)."""
        if not write.rows or self.report.blocked:
            return
        if self.commit:
            self.queue.append(write)
        elif self.plan is not None:
            self.plan(write)

    def _do_write(self, row: Row, write: Callable[[], Any]) -> Any:
        """Call a service for a row; what it refuses becomes the row's error (nothing is kept)."""
        try:
            result = write()
        except ValidationError as exc:
            messages = getattr(exc, "message_dict", None) or {"": exc.messages}
            for name, texts in messages.items():
                key = name.rsplit(".", 1)[-1] if name != "__all__" else ""
                self._error(row, key, "rejected", message=" ".join(texts))
            return None
        except (ApplicationError, PermissionDenied, DatabaseError) as exc:
            self._error(row, getattr(exc, "field", "") or "", "rejected", message=str(exc))
            return None
        self.report.written += 1
        return result

    def _by_external_id(self, model: type[Any], ids: list[str]) -> QuerySet[Any]:
        """This programme's records with these external ids. The explicit `external_id <> ''` lets
        the databases use the partial unique index on (programme, external_id). (A set, not a list:
        Django resolves each item of a list as a possible expression, a set it takes as values.)"""
        return model.objects.filter(
            ~Q(external_id=""), programme=self.programme, external_id__in=frozenset(ids)
        )

    def _existing_ids(self, model: type[Any], ids: list[str]) -> tuple[set[str], set[str]]:
        """External ids of this programme already in use: (all of them, those the user may see)."""
        if not ids:
            return set(), set()
        qs = self._by_external_id(model, ids)
        taken = set(qs.values_list("external_id", flat=True))
        visible = set(qs.filter(owned_scope(self.actor)).values_list("external_id", flat=True))
        return taken, visible

    def _valid_person(self, row: Row, data: dict[str, Any], key: str = "") -> bool:
        """The registry's rules for a person (names' letters, dates), without the database."""
        try:
            registry.person_validate(data=data)
        except ValidationError as exc:
            for name, texts in exc.message_dict.items():
                self._error(row, f"{key}{name}", "rejected", message=" ".join(texts))
            return False
        return True

    def _candidates(self, pending: list[tuple[Row, dict[str, Any], Any]]) -> list[list[Candidate]]:
        """The check at entry for each new person (person_candidates, batched), against the
        registry as it was when this run started."""
        return person_candidates_many(
            user=self.actor, items=[(data, district) for _row, data, district in pending]
        )

    def _new_person(
        self, row: Row, data: dict[str, Any], candidates: list[Candidate], key: str = ""
    ) -> bool | None:
        """Whether a person may be created: True with no likely duplicate, or when the user confirmed
        the row; else False, or None in a dry run (the row is listed for the user to confirm)."""
        names = name_keys(data["given_name"], data["family_name"], data.get("patronymic") or "")
        same = (names.name_key, str(data.get("birth_date") or ""))
        first = self.seen_people.setdefault(same, row.number)
        in_file = first != row.number and bool(data.get("birth_date"))
        if not candidates and not in_file:
            return True
        if row.number in self.confirmed:
            row.entry = EntryDecision("new", tuple(candidates))
            return True
        self.report.duplicates.append(
            {"row": row.number, "candidates": [_candidate(c) for c in candidates]}
            | ({"same_as_row": first} if in_file else {})
        )
        if in_file:
            self._error(row, f"{key}given_name", "same_person_in_file", "warning", first=first)
        if candidates:
            self._error(
                row, f"{key}given_name", "possible_duplicate", "warning", count=len(candidates)
            )
        if self.commit:
            self._error(row, f"{key}given_name", "duplicate_unconfirmed")
            return False
        return None

    def _keep(
        self,
        write: Write,
        row: Row,
        item: dict[str, Any],
        new: bool | None,
        candidates: list[Candidate],
    ) -> None:
        """A checked person's item into the Write: a new person (counted); in a dry run with a
        plan, one listed as a possible duplicate too, as pending (written if confirmed)."""
        if new is None and self.plan is not None:
            listing = self.report.duplicates[-1]
            # Keys, scores and reasons only: the people themselves stay out of the plan's file.
            found = tuple(replace(c, person=None, district=None) for c in candidates)
            write.pending.append(
                Pending(
                    len(write.payload), found, "same_as_row" in listing, bool(listing["candidates"])
                )
            )
        elif not new:
            return
        else:
            self.report.new += 1
        write.rows.append(row.number)
        write.payload.append(item)
        row.data = {}  # the item holds what is written; a kept row keeps its number only

    def _do_write_many(self, rows: list[Row], write: Callable[[], Any]) -> Any:
        """Call a bulk service for rows; what it refuses becomes those rows' errors."""
        try:
            result = write()
        except ValidationError as exc:
            for name, texts in exc.message_dict.items():
                index, _dot, field_name = name.partition(".")
                row = rows[int(index)] if index.isdigit() and int(index) < len(rows) else rows[0]
                key = field_name if field_name != "__all__" else ""
                self._error(row, key, "rejected", message=" ".join(texts))
            return None
        except (ApplicationError, PermissionDenied, DatabaseError) as exc:
            self._error(rows[0], "", "rejected", message=str(exc))
            return None
        self.report.written += len(rows)
        return result

    def _batch_households(self, rows: list[Row]) -> None:
        taken, visible = self._existing_ids(Household, [r.data["external_id"] for r in rows])
        head_ids = [r.data["head_external_id"] for r in rows if r.data.get("head_external_id")]
        people_taken, _people_visible = self._existing_ids(Person, head_ids)
        pending: list[tuple[Row, dict[str, Any], Any]] = []
        for row in rows:
            ext = row.data["external_id"]
            if ext in visible:
                self.report.existing += 1
                continue
            if ext in taken:
                self._error(row, "external_id", "id_taken", value=ext)
                continue
            head_ext = row.data.get("head_external_id", "")
            if head_ext and head_ext in people_taken:
                self._error(row, "head_external_id", "id_taken", value=head_ext)
                continue
            head = {k: row.data[f"head_{k}"] for k in PERSON_FIELDS if f"head_{k}" in row.data}
            if head_ext:
                head["external_id"] = head_ext
            if self._valid_person(row, head, "head_"):
                pending.append((row, head, row.data["district"]))
        write = Write("households", [], [])
        for probe, candidates in zip(pending, self._candidates(pending), strict=True):
            row, head, _district = probe
            new = self._new_person(row, head, candidates, "head_")
            data = {
                k: row.data[k]
                for k in (
                    "external_id", "name", "kind", "district", "mahalla", "address", "phone",
                    "housing", "monthly_income_uzs",
                )
                if k in row.data
            }  # fmt: skip
            self._keep(
                write, row, {"data": data, "head": head, "entry": row.entry}, new, candidates
            )
        self._write(write)

    def _households(self, ids: list[str]) -> dict[str, Household]:
        if not ids:
            return {}
        # What the registry's bulk services read of a household: its keys and owner fields.
        qs = (
            self._by_external_id(Household, ids)
            .filter(owned_scope(self.actor))
            .only("id", "external_id", "programme_id", "team_id", "caseworker_id", "district_id")
        )
        return {h.external_id: h for h in qs}

    def _people(self, ids: list[str]) -> dict[str, Person]:
        if not ids:
            return {}
        qs = self._by_external_id(Person, ids).filter(
            owned_scope(self.actor), merged_into__isnull=True
        )
        return {p.external_id: p for p in qs}

    def _batch_people(self, rows: list[Row]) -> None:
        taken, visible = self._existing_ids(Person, [r.data["external_id"] for r in rows])
        households = self._households([r.data["household_external_id"] for r in rows])
        pending: list[tuple[Row, dict[str, Any], Any]] = []
        homes: list[Household] = []
        for row in rows:
            ext = row.data["external_id"]
            if ext in visible:
                self.report.existing += 1
                continue
            if ext in taken:
                self._error(row, "external_id", "id_taken", value=ext)
                continue
            household = households.get(row.data["household_external_id"])
            if household is None:
                self._error(
                    row,
                    "household_external_id",
                    "unknown_household",
                    value=row.data["household_external_id"],
                )
                continue
            person = {k: row.data[k] for k in PERSON_FIELDS if k in row.data}
            person["external_id"] = ext
            if row.data.get("phone"):
                person["phone"] = row.data["phone"]
            if self._valid_person(row, person):
                pending.append((row, person, household.district_id))
                homes.append(household)
        write = Write("people", [], [])
        for probe, household, candidates in zip(
            pending, homes, self._candidates(pending), strict=True
        ):
            row, person, _district = probe
            new = self._new_person(row, person, candidates)
            item = {
                "household": household,
                "data": person,
                "relationship": row.data["relationship"],
                "group": row.data.get("group", ""),
                "entry": row.entry,
            }
            self._keep(write, row, item, new, candidates)
        self._write(write)

    def _batch_enrolments(self, rows: list[Row]) -> None:
        people = self._people(
            [r.data["person_external_id"] for r in rows if "person_external_id" in r.data]
        )
        households = self._households(
            [r.data["household_external_id"] for r in rows if "household_external_id" in r.data]
        )
        active = self.enrolling | set(
            Enrolment.objects.filter(
                programme=self.programme,
                person__in=[p.pk for p in people.values()],
                status=Enrolment.Status.ACTIVE,
            ).values_list("person_id", "group")
        )
        of_households = self.enrolling | set(
            Enrolment.objects.filter(
                programme=self.programme, household__in=[h.pk for h in households.values()]
            ).values_list("household_id", "group", "enrolled_on")
        )
        for row in rows:
            person_ext = row.data.get("person_external_id")
            household_ext = row.data.get("household_external_id")
            if bool(person_ext) == bool(household_ext):
                self._error(row, "person_external_id", "person_or_household")
                continue
            group, enrolled_on = row.data["group"], row.data["enrolled_on"]
            person = people.get(person_ext or "")
            household = households.get(household_ext or "")
            if person_ext and person is None:
                self._error(row, "person_external_id", "unknown_person", value=person_ext)
                continue
            if household_ext and household is None:
                self._error(row, "household_external_id", "unknown_household", value=household_ext)
                continue
            key_person = (person.pk, group) if person else None
            key_household = (household.pk, group, enrolled_on) if household else None
            if key_person in active or key_household in of_households:
                self.report.existing += 1
                continue
            self.report.new += 1
            if key_person:
                active.add(key_person)
                self.enrolling.add(key_person)
            if key_household:
                of_households.add(key_household)
                self.enrolling.add(key_household)
            self._write(
                Write(
                    "enrolment",
                    [row.number],
                    {
                        "group": group,
                        "enrolled_on": enrolled_on,
                        "person": person,
                        "household": household,
                    },
                )
            )

    def _batch_services(self, rows: list[Row]) -> None:
        ids = [r.data["external_id"] for r in rows]
        existing_qs = self._by_external_id(ServiceDelivery, ids)
        taken = set(existing_qs.values_list("external_id", flat=True))
        people = self._people([r.data["person_external_id"] for r in rows])
        enrolled = set(
            Enrolment.objects.filter(
                programme=self.programme,
                person__in=[p.pk for p in people.values()],
                status=Enrolment.Status.ACTIVE,
            ).values_list("person_id", flat=True)
        )
        for row in rows:
            ext = row.data["external_id"]
            if ext in taken:
                self.report.existing += 1
                continue
            person = people.get(row.data["person_external_id"])
            if person is None:
                self._error(
                    row,
                    "person_external_id",
                    "unknown_person",
                    value=row.data["person_external_id"],
                )
                continue
            if person.pk not in enrolled:
                self._error(
                    row,
                    "person_external_id",
                    "rejected",
                    message=str(_not_enrolled()),
                )
                continue
            self.report.new += 1
            agency = row.data.get("provider_agency")
            kwargs = {
                "service_type": row.data["service"],
                "kind": ServiceDelivery.Kind.INDIVIDUAL,
                "delivered_on": row.data["delivered_on"],
                "attended": [person.pk],
                "provider_user": None if agency else self.actor,
                "provider_organisation": agency,
                "duration_minutes": row.data.get("duration_minutes"),
                "quantity": row.data.get("quantity"),
                "cost_uzs": row.data.get("cost_uzs"),
                "external_id": ext,
            }
            if kwargs["duration_minutes"] is None and kwargs["quantity"] is None:
                self._error(row, "duration_minutes", "required")
                continue
            self._write(Write("delivery", [row.number], kwargs))


def _not_enrolled() -> str:
    return _("The person is not enrolled in the programme.")


def _candidate(candidate: Candidate) -> dict[str, Any]:
    """A possible duplicate as the report keeps it: nothing about people the user may not see."""
    out: dict[str, Any] = {
        "visible": candidate.visible,
        "percent": candidate.percent,
        "reasons": list(candidate.reasons),
    }
    if candidate.visible and candidate.person is not None:
        out["person"] = str(candidate.person_id)
        out["name"] = candidate.person.full_name
        out["birth_date"] = (
            candidate.person.birth_date.isoformat() if candidate.person.birth_date else ""
        )
    return out
