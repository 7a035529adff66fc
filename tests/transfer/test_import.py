"""Bulk import: the planted-error register, the corrected one, re-import, encodings, junk, duplicates."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

from django.test import override_settings

from oila.audit.models import AuditEvent
from oila.common.errors import ApplicationError
from oila.registry.models import Enrolment, Household, Membership, Person
from oila.transfer.importing import parse_date
from oila.transfer.models import Job
from tests.transfer.base import TransferTestCase
from tests.transfer.files import csv_bytes, pinfl, xlsx

HEADERS = [
    "Household id", "Family name of the household", "District", "Mahalla", "Address",
    "Head's person id", "Given name (head)", "Family name (head)", "Sex (head)",
    "Date of birth (head)", "PINFL (head)",
]  # fmt: skip
ROWS = 5000
NAMES = ["Olim", "Sardor", "Jasur", "Bekzod", "Rustam", "Anvar", "Temur", "Nodir"]
SURNAMES = ["Olimov", "Sobirov", "Rahimov", "Yusupov", "Bekchanov", "Masharipov", "Sapayev"]


def register(errors: bool) -> bytes:
    """A 5 000-household register; with `errors`, the planted ones (see the test)."""
    header = list(HEADERS)
    if errors:
        header[4] = "Adress"  # a misspelt header
    rows: list[list[object]] = [header]
    for n in range(ROWS):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=(n * 37) % 12000)
        written = (born.isoformat(), born.strftime("%d.%m.%Y"), born.strftime("%d/%m/%Y"))[n % 3]
        rows.append(
            [
                f"HH-{n:05d}", f"{SURNAMES[n % 7]}lar", ("Urganch", "Xiva tumani", "1733223")[n % 3],
                "", f"Koʻcha {n}", f"P-{n:05d}", NAMES[n % 8], SURNAMES[n % 7], "male", written,
                pinfl(n),
            ]
        )  # fmt: skip
    rows[13][9] = "13/02/1979"  # unambiguous: the day is past 12
    rows[14][9] = "05/03/1980"  # ambiguous: 5 March or 3 May
    if errors:
        rows[20][2] = "Atlantis"  # a district that does not exist
        rows[31] = list(rows[30])  # a duplicate row
        rows[40][10] = "12345"  # a bad PINFL
        rows[50][9] = "31.31.1980"  # not a date
    return xlsx(rows, merge="E10:E11" if errors else "")


class PlantedErrorsTests(TransferTestCase):
    def test_it_names_every_planted_problem_imports_nothing_then_the_corrected_file_once(
        self,
    ) -> None:
        households, people = Household.objects.count(), Person.objects.count()
        job = self.check(self.alice, "households", register(errors=True))
        self.assertEqual(job.status, Job.Status.CHECKED)
        self.assertEqual(job.report["rows"], ROWS)
        codes = self.codes(job)
        self.assertIn((1, "E", "unknown_header"), codes)
        self.assertIn((10, "E", "merged"), codes)
        self.assertIn((21, "C", "unknown_district"), codes)  # row 20 of data is sheet row 21
        self.assertIn((32, "", "duplicate_row"), codes)
        self.assertIn((41, "K", "bad_pinfl"), codes)
        self.assertIn((51, "J", "bad_date"), codes)
        self.assertIn((15, "J", "ambiguous_date"), codes)
        self.assertNotIn((14, "J", "ambiguous_date"), codes)
        formats = next(p for p in job.report["problems"] if p["code"] == "date_formats")
        self.assertEqual(formats["params"]["count"], 3)
        self.assertEqual(
            [f["format"] for f in formats["params"]["formats"]], ["dot", "iso", "slash"]
        )
        self.assertEqual(job.report["errors"], 6)
        with self.assertRaises(ApplicationError):
            self.commit(self.alice, job)
        self.assertEqual((Household.objects.count(), Person.objects.count()), (households, people))

        corrected = self.check(self.alice, "households", register(errors=False))
        self.assertEqual(corrected.report["errors"], 0)
        self.assertEqual(corrected.report["new"], ROWS)
        corrected = self.commit(self.alice, corrected)
        self.assertEqual(corrected.status, Job.Status.IMPORTED)
        self.assertEqual(Household.objects.count(), households + ROWS)
        self.assertEqual(Person.objects.count(), people + ROWS)
        head = Person.objects.get(external_id="P-00013")
        self.assertEqual(head.birth_date, dt.date(1980, 3, 5))  # day first
        self.assertEqual(head.memberships.get().household.external_id, "HH-00013")
        self.assertEqual(head.caseworker, self.alice)
        self.assertEqual(
            AuditEvent.objects.filter(action="person.create", target_id=str(head.pk)).count(), 1
        )
        self.assertEqual(AuditEvent.objects.filter(action="household.register").count(), ROWS + 1)

        again = self.check(self.alice, "households", register(errors=False))
        self.assertEqual((again.report["new"], again.report["existing"]), (0, ROWS))
        events = AuditEvent.objects.count()
        self.commit(self.alice, again)
        self.assertEqual(Household.objects.count(), households + ROWS)
        self.assertEqual(Person.objects.count(), people + ROWS)
        self.assertEqual(AuditEvent.objects.count(), events + 1)  # the import's own event only


PEOPLE = ["external_id", "household_external_id", "relationship", "given_name", "family_name",
          "sex", "birth_date", "pinfl", "group"]  # fmt: skip


class PeopleImportTests(TransferTestCase):
    def test_it_reads_a_cp1251_csv_with_semicolons_and_says_so(self) -> None:
        self.household.external_id = "HH-1"
        self.household.save(update_fields=["external_id"])
        rows = [
            PEOPLE,
            # "аёл" is "female" in Uzbek Cyrillic: a label in any of our languages is understood.
            ["P-1", "HH-1", "child", "Зарина", "Каримова", "аёл", "01.02.2016", "", ""],
            ["P-6", "HH-1", "child", "Азиз", "Каримов", "?", "01.02.2017", "", ""],
        ]
        data = csv_bytes(rows, encoding="cp1251", delimiter=";")
        job = self.check(self.alice, "people", data, "register.csv")
        self.assertEqual(job.report["encoding"], "cp1251")
        self.assertEqual(self.codes(job), [(3, "F", "bad_choice")])
        rows[2][5] = "male"
        job = self.check(self.alice, "people", csv_bytes(rows, "cp1251", ";"), "register.csv")
        self.assertEqual(job.report["errors"], 0)
        self.commit(self.alice, job)
        person = Person.objects.get(external_id="P-1")
        self.assertEqual((person.given_name, person.family_name), ("Зарина", "Каримова"))
        self.assertEqual(person.sex, "female")
        self.assertEqual(person.memberships.get().household, self.household)

    def test_it_reads_utf8_with_a_byte_order_mark_and_machine_key_headers(self) -> None:
        self.household.external_id = "HH-1"
        self.household.save(update_fields=["external_id"])
        rows = [PEOPLE, ["P-2", "HH-1", "spouse", "Gulnora", "Karimova", "female", "", "", ""]]
        job = self.check(self.alice, "people", csv_bytes(rows, "utf-8-sig"), "r.csv")
        self.assertEqual((job.report["encoding"], job.report["errors"]), ("utf-8-sig", 0))

    def test_it_lists_likely_duplicates_and_imports_them_only_when_confirmed(self) -> None:
        self.household.external_id = "HH-1"
        self.household.save(update_fields=["external_id"])
        # Shahnoza Karimova, born 2014-05-20, is alice's already: typed again, in Cyrillic.
        rows = [
            PEOPLE,
            ["P-3", "HH-1", "child", "Шаҳноза", "Каримова", "female", "2014-05-20", "", ""],
            ["P-4", "HH-1", "child", "Malika", "Karimova", "female", "2016-01-01", "", "vulnerable_child"],
        ]  # fmt: skip
        job = self.check(self.alice, "people", xlsx(rows))
        self.assertEqual(job.report["errors"], 0)
        self.assertEqual([d["row"] for d in job.report["duplicates"]], [2])
        candidate = job.report["duplicates"][0]["candidates"][0]
        self.assertEqual(candidate["person"], str(self.child.pk))
        self.assertIn("name_cross_script", candidate["reasons"])
        with self.assertRaises(ApplicationError):
            self.commit(self.alice, job)
        self.assertFalse(Person.objects.filter(external_id__in=["P-3", "P-4"]).exists())
        job = self.commit(self.alice, job, confirmed=[2])
        self.assertEqual(job.status, Job.Status.IMPORTED)
        new = Person.objects.get(external_id="P-3")
        choice = AuditEvent.objects.get(action="dedup.entry_choice", target_id=str(new.pk))
        self.assertEqual(choice.after["choice"], "new")
        self.assertEqual(choice.after["candidates"][0]["id"], str(self.child.pk))
        malika = Person.objects.get(external_id="P-4")
        self.assertEqual(malika.enrolments.get().group, Enrolment.Group.VULNERABLE_CHILD)

    def test_it_refuses_a_household_the_user_cannot_see(self) -> None:
        theirs = self.other_team_household()
        theirs.external_id = "HH-9"
        theirs.save(update_fields=["external_id"])
        rows = [PEOPLE, ["P-5", "HH-9", "child", "Aziz", "Xudoyberganov", "male", "", "", ""]]
        job = self.check(self.alice, "people", xlsx(rows))
        self.assertEqual(self.codes(job), [(2, "B", "unknown_household")])


class BadFileTests(TransferTestCase):
    def assertRefused(self, data: bytes, code: str, name: str = "f.xlsx") -> None:
        before = (Household.objects.count(), Person.objects.count())
        job = self.check(self.alice, "households", data, name)
        self.assertEqual(self.codes(job), [(0, "", code)])
        self.assertFalse(job.report["rows"])
        self.assertEqual((Household.objects.count(), Person.objects.count()), before)

    def test_it_reports_junk_an_empty_file_and_things_that_are_not_spreadsheets(self) -> None:
        self.assertRefused(os.urandom(200_000), "not_a_table")
        self.assertRefused(b"", "empty")
        self.assertRefused(b"%PDF-1.7\n" + bytes(range(256)) * 10, "not_a_table")
        self.assertRefused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old_excel")
        other_zip = io.BytesIO()
        with zipfile.ZipFile(other_zip, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
        self.assertRefused(other_zip.getvalue(), "not_a_table")
        self.assertRefused(b"\n\n\n", "no_header", "f.csv")

    @override_settings(OILA_IMPORT_MAX_BYTES=50_000)
    def test_it_stops_copying_a_file_past_the_size_limit(self) -> None:
        self.assertRefused(os.urandom(50 * 1024 * 1024 // 64), "too_large")

    @override_settings(OILA_IMPORT_MAX_ROWS=10)
    def test_it_refuses_more_rows_than_the_limit_and_imports_none(self) -> None:
        rows = [HEADERS] + [
            [f"H{n}", "X", "Urganch", "", "", "", "Ali", "Aliyev", "male", "", ""]
            for n in range(11)
        ]
        job = self.check(self.alice, "households", xlsx(rows))
        self.assertIn((0, "", "too_many_rows"), self.codes(job))
        self.assertFalse(Household.objects.filter(external_id__startswith="H").exists())

    def test_it_names_missing_required_columns_once(self) -> None:
        job = self.check(self.alice, "households", xlsx([["Household id"], ["H1"]]))
        missing = [p["field"] for p in job.report["problems"] if p["code"] == "missing_header"]
        self.assertEqual(
            missing,
            ["name", "district", "head_given_name", "head_family_name", "head_sex"],
        )
        self.assertEqual(job.report["errors"], 5)


class DateTests(TransferTestCase):
    def test_it_reads_the_three_formats_day_first_and_flags_ambiguity(self) -> None:
        self.assertEqual(parse_date("2014-05-20"), (dt.date(2014, 5, 20), "iso", False))
        self.assertEqual(parse_date("20.05.2014"), (dt.date(2014, 5, 20), "dot", False))
        self.assertEqual(parse_date("20/05/2014"), (dt.date(2014, 5, 20), "slash", False))
        self.assertEqual(parse_date("05/03/2014"), (dt.date(2014, 3, 5), "slash", True))
        self.assertEqual(parse_date("05/05/2014"), (dt.date(2014, 5, 5), "slash", False))
        self.assertEqual(parse_date("2014-02-30"), (None, "iso", False))
        self.assertEqual(parse_date("May 2014"), (None, "", False))


class QueuedWritesTests(TransferTestCase):
    """A commit checks the whole file before writing: rows of later batches still see the earlier
    batches' rows as the dry run did."""

    def test_one_enrolment_from_two_rows_in_different_batches(self) -> None:
        from unittest import mock

        self.child.external_id = "P-1"
        self.child.save(update_fields=["external_id"])
        rows = [
            ["person_external_id", "group", "enrolled_on"],
            ["P-1", "sos_child", "2026-01-05"],
            ["P-1", "sos_child", "2026-02-01"],
        ]
        with mock.patch("oila.transfer.importing.BATCH", 1):
            job = self.check(self.alice, "enrolments", csv_bytes(rows), "e.csv")
            self.assertEqual((job.report["errors"], job.report["new"]), (0, 1), job.report)
            job = self.commit(self.alice, job)
        self.assertEqual(job.status, Job.Status.IMPORTED, job.report)
        self.assertEqual(self.child.enrolments.filter(group="sos_child").count(), 1)


class PlanTests(TransferTestCase):
    """A commit replays its dry run's plan when nothing was written since (transfer.plans), and
    then reports and writes what checking the file a second time would."""

    def _file(self) -> bytes:
        self.household.external_id = "HH-1"
        self.household.save(update_fields=["external_id"])
        return xlsx(
            [
                PEOPLE,
                # alice's Shahnoza Karimova again, in Cyrillic: listed as a possible duplicate
                ["P-3", "HH-1", "child", "Шаҳноза", "Каримова", "female", "2014-05-20", "", ""],
                ["P-4", "HH-1", "child", "Malika", "Karimova", "female", "05/03/2016", "",
                 "vulnerable_child"],
                # the same girl twice in the file: the second is listed
                ["P-5", "HH-1", "child", "Dilnoza", "Karimova", "female", "2018-07-01", "", ""],
                ["P-6", "HH-1", "child", "Dilnoza", "Karimova", "female", "2018-07-01", "", "sos_child"],
            ]
        )  # fmt: skip

    def _import(self, *, touch: bool) -> tuple[dict[str, object], list[tuple[object, ...]]]:
        from unittest import mock

        from oila.audit import services as audit
        from oila.transfer.importing import Importer

        job = self.check(self.alice, "people", self._file())
        self.assertEqual(job.report["errors"], 0, job.report)
        self.assertEqual([d["row"] for d in job.report["duplicates"]], [2, 5])
        self.assertEqual(job.params["plan"]["pending"], [2, 5])
        if touch:  # any write audited after the dry run: the commit checks the file again
            audit.record(actor=self.bob, action="accounts.profile_update", target=self.bob)
        seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        replay = mock.patch.object(Importer, "replay", autospec=True, side_effect=Importer.replay)
        with replay as replayed:
            job = self.commit(self.alice, job, confirmed=[2, 5])
        self.assertEqual(replayed.called, not touch)
        self.assertEqual(job.status, Job.Status.IMPORTED, job.report)
        people: dict[object, str] = {
            str(p.pk): p.external_id for p in Person.objects.filter(external_id__startswith="P-")
        }
        people.update(
            {str(m.pk): f"membership of {m.person.external_id}" for m in Membership.objects.filter(
                person__external_id__startswith="P-")}
        )  # fmt: skip
        people.update(
            {str(e.pk): f"enrolment of {e.person.external_id}" for e in Enrolment.objects.filter(
                person__external_id__startswith="P-")}
        )  # fmt: skip
        events = [
            (
                e.action,
                e.target_type,
                people.get(e.target_id, ""),
                {k: people.get(str(v), v) for k, v in (e.after or {}).items() if k != "candidates"},
                [c["id"] for c in (e.after or {}).get("candidates", [])],
            )
            for e in AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
            if e.action != "transfer.import"
        ]
        self.assertEqual(
            sorted((p.external_id, p.given_name, p.birth_date) for p in Person.objects.filter(
                external_id__in=["P-3", "P-4", "P-5", "P-6"])),
            [
                ("P-3", "Шаҳноза", dt.date(2014, 5, 20)),
                ("P-4", "Malika", dt.date(2016, 3, 5)),
                ("P-5", "Dilnoza", dt.date(2018, 7, 1)),
                ("P-6", "Dilnoza", dt.date(2018, 7, 1)),
            ],
        )  # fmt: skip
        return job.report, events

    def test_the_replayed_commit_reports_and_writes_what_a_second_check_would(self) -> None:
        from django.db import transaction

        with transaction.atomic():
            replayed = self._import(touch=False)
            transaction.set_rollback(True)
        checked = self._import(touch=True)
        self.assertEqual(replayed[0], checked[0])
        self.assertEqual(replayed[1], checked[1])
        report = checked[0]
        self.assertEqual((report["new"], report["written"], report["duplicates"]), (4, 4, []))
        self.assertEqual(
            [p["code"] for p in report["problems"]], ["ambiguous_date", "date_formats"]
        )
        # The confirmed rows' choices, with the candidates the check at entry offered.
        choices = [e for e in checked[1] if e[0] == "dedup.entry_choice"]
        self.assertEqual(
            [(e[2], e[4]) for e in choices], [("P-3", [str(self.child.pk)]), ("P-6", [])]
        )

    def test_a_person_registered_after_the_dry_run_is_still_found(self) -> None:
        from oila.registry import services as registry

        self.household.external_id = "HH-1"
        self.household.save(update_fields=["external_id"])
        rows = [
            PEOPLE,
            ["P-7", "HH-1", "child", "Zarina", "Karimova", "female", "2019-04-02", "", ""],
        ]
        job = self.check(self.alice, "people", xlsx(rows))
        self.assertEqual((job.report["errors"], job.report["duplicates"]), (0, []))
        registry.household_member_add(
            actor=self.alice,
            household=self.household,
            member={"given_name": "Zarina", "family_name": "Karimova", "sex": "female",
                    "birth_date": dt.date(2019, 4, 2), "relationship": "child"},
        )  # fmt: skip
        job = self.commit(self.alice, job)
        self.assertEqual(job.status, Job.Status.CHECKED)
        self.assertIn((2, "D", "duplicate_unconfirmed"), self.codes(job))
        self.assertFalse(Person.objects.filter(external_id="P-7").exists())

    def test_a_plan_that_is_not_the_dry_runs_is_not_read(self) -> None:
        from unittest import mock

        from oila.transfer.files import plan_path
        from oila.transfer.importing import Importer

        self.household.external_id = "HH-1"
        self.household.save(update_fields=["external_id"])
        rows = [PEOPLE, ["P-8", "HH-1", "child", "Aziz", "Karimov", "male", "2017-02-03", "", ""]]
        job = self.check(self.alice, "people", xlsx(rows))
        path = plan_path(job)
        path.write_bytes(path.read_bytes() + b".")
        with mock.patch.object(Importer, "replay") as replay:
            job = self.commit(self.alice, job)
        replay.assert_not_called()
        self.assertEqual(job.status, Job.Status.IMPORTED, job.report)
        self.assertTrue(Person.objects.filter(external_id="P-8").exists())
        self.assertFalse(path.exists())

    def test_a_row_the_services_refuse_on_replay_is_named_by_its_cell(self) -> None:
        from unittest import mock

        from django.core.exceptions import ValidationError

        self.household.external_id = "HH-1"
        self.household.save(update_fields=["external_id"])
        rows = [PEOPLE, ["P-9", "HH-1", "child", "Aziz", "Karimov", "male", "2017-02-03", "", ""]]
        job = self.check(self.alice, "people", xlsx(rows))
        refused = ValidationError({"0.relationship": ["Not allowed here."]})
        with mock.patch("oila.registry.services.people_import", side_effect=refused):
            job = self.commit(self.alice, job)
        self.assertEqual(job.status, Job.Status.CHECKED)
        self.assertIn((2, "C", "rejected"), self.codes(job))
        self.assertFalse(Person.objects.filter(external_id="P-9").exists())
