"""The whole-registry scan: planted duplicates found, decisions remembered, bad records reported."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

from oila.audit.models import AuditEvent
from oila.common.script import latin_to_cyrillic
from oila.dedup import scan
from oila.dedup import services as dedup
from oila.dedup.models import DuplicateCandidate, ScanRun
from oila.demo.names import FEMALE_NAMES, MALE_NAMES, SURNAMES
from oila.registry import services as registry
from oila.registry.models import Person
from tests.base import OilaTestCase

PINFL = "41234567890123"


class ScanTests(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        rng = random.Random(5)
        members = []
        for index in range(80):
            sex = rng.choice(("female", "male"))
            members.append(
                {
                    "given_name": rng.choice(FEMALE_NAMES if sex == "female" else MALE_NAMES),
                    "family_name": rng.choice(SURNAMES) + ("a" if sex == "female" else ""),
                    "sex": sex,
                    "birth_date": dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(20000)),
                    "relationship": "other",
                    "pinfl": f"5{index:013d}" if index % 3 == 0 else "",
                }
            )
        registry.household_register(
            actor=cls.alice, data={"name": "Many", "district": cls.urganch}, members=members
        )
        planted = [
            # the demo child again, in Cyrillic, in another household of the same district
            {"given_name": "Шаҳноза", "family_name": "Каримова", "sex": "female",
             "birth_date": dt.date(2014, 5, 20)},
            # the head again, romanised another way, day and month swapped
            {"given_name": "DILSHOD", "family_name": "Qarimov", "sex": "male",
             "birth_date": dt.date(1985, 1, 3)},
        ]  # fmt: skip
        twin = members[3]
        planted.append(
            {**twin, "given_name": latin_to_cyrillic(twin["given_name"]), "birth_date": None}
        )
        household = registry.household_register(
            actor=cls.alice,
            data={"name": "Again", "district": cls.urganch},
            members=[{**m, "relationship": "other"} for m in planted],
        )
        people = {m.person.given_name: m.person for m in household.memberships.all()}
        cls.planted = {
            frozenset((cls.child.pk, people["Шаҳноза"].pk)),
            frozenset(
                (cls.household.memberships.get(relationship="head").person_id, people["DILSHOD"].pk)
            ),
        }

    def setUp(self) -> None:
        self.var = tempfile.TemporaryDirectory()
        self.addCleanup(self.var.cleanup)
        override = override_settings(VAR_DIR=Path(self.var.name))
        override.enable()
        self.addCleanup(override.disable)

    def pairs(self) -> set[frozenset[object]]:
        return {frozenset((c.person_a_id, c.person_b_id)) for c in DuplicateCandidate.objects.all()}

    def test_it_finds_the_planted_duplicates_and_saves_a_versioned_model(self) -> None:
        run = dedup.scan_registry()
        self.assertEqual(run.status, ScanRun.Status.DONE)
        self.assertLessEqual(self.planted, self.pairs())
        self.assertEqual(run.model_version, 1)
        model = json.loads(Path(run.model_file).read_text())
        self.assertEqual(model["link_type"], "dedupe_only")
        self.assertEqual(Path(run.model_file).name, "model-v1.json")
        self.assertEqual(dedup.scan_registry().model_version, 2)
        # The same trained model, written for Spark (docs/dedup-spark.md).
        spark = scan.portable_model(Path(run.model_file), dialect="spark")
        self.assertEqual(spark["sql_dialect"], "spark")
        self.assertEqual(
            spark["probability_two_random_records_match"],
            model["probability_two_random_records_match"],
        )
        given = spark["comparisons"][0]["comparison_levels"]
        self.assertIn("jaro_winkler(", given[3]["sql_condition"])
        self.assertEqual(
            given[1]["m_probability"],
            model["comparisons"][0]["comparison_levels"][1]["m_probability"],
        )
        child_pair = (
            DuplicateCandidate.objects.get(person_a__in=[self.child], status="open")
            if DuplicateCandidate.objects.filter(person_a=self.child).exists()
            else (DuplicateCandidate.objects.get(person_b=self.child))
        )
        self.assertIn("name_cross_script", child_pair.reasons)
        self.assertTrue(AuditEvent.objects.filter(action="dedup.scan").exists())

    def test_it_never_proposes_a_pair_marked_not_the_same_again(self) -> None:
        dedup.scan_registry()
        candidate = DuplicateCandidate.objects.filter(status="open").first()
        assert candidate is not None
        dedup.candidate_not_same(actor=self.bob, candidate=candidate, note="twins")
        before = DuplicateCandidate.objects.count()
        run = dedup.scan_registry()
        candidate.refresh_from_db()
        self.assertEqual(candidate.status, DuplicateCandidate.Status.NOT_SAME)
        self.assertEqual(DuplicateCandidate.objects.count(), before)
        self.assertEqual(run.candidates_new, 0)

    def test_it_reports_records_it_cannot_compare_and_goes_on(self) -> None:
        broken = Person.objects.exclude(pk=self.child.pk).first()
        assert broken is not None
        Person.objects.filter(pk=broken.pk).update(
            given_name="", family_name="!!", fold_given="", fold_family="", name_key=""
        )
        run = dedup.scan_registry()
        self.assertEqual(run.status, ScanRun.Status.DONE)
        self.assertEqual([e["id"] for e in run.not_comparable], [str(broken.pk)])
        self.assertLessEqual(self.planted, self.pairs())

    def test_it_runs_from_the_command_line_with_a_progress_bar(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        call_command("dedup", "scan", "--threshold", "0.5", stdout=out, stderr=err)
        self.assertIn("new for review", out.getvalue())
        call_command("dedup", "scan", "--model", "latest", stdout=out, stderr=err)
        self.assertIn("saved model reused", out.getvalue())
        self.assertEqual(ScanRun.objects.filter(status="done").count(), 2)

    def test_it_runs_as_the_weekly_job(self) -> None:
        from oila.dedup.tasks import weekly_duplicate_scan

        weekly_duplicate_scan.call_local()
        self.assertTrue(ScanRun.objects.filter(status="done").exists())

    def test_it_turns_a_same_person_reported_at_entry_into_a_candidate(self) -> None:
        from oila.registry.matching import EntryDecision, person_candidates

        other = registry.person_create(
            actor=self.alice,
            data={"given_name": "Nilufar", "family_name": "Karimova", "sex": "female"},
            household=self.household,
        )
        data = {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
                "birth_date": dt.date(2014, 5, 20)}  # fmt: skip
        found = person_candidates(user=self.alice, data=data, exclude=other)
        child = next(c for c in found if c.person_id == self.child.pk)
        registry.person_update(
            actor=self.alice, person=other, data=data,
            entry=EntryDecision("same", tuple(found), person=child.person),
        )  # fmt: skip
        self.assertEqual(dedup.candidates_from_entry_reports(), 1)
        self.assertEqual(dedup.candidates_from_entry_reports(), 0)
        self.assertIn(frozenset((other.pk, self.child.pk)), self.pairs())


class ScanRecordsTests(OilaTestCase):
    def test_it_scans_plain_records_without_the_database(self) -> None:
        records = [
            {"id": 1, "given_name": "Xurshid", "family_name": "Karimov", "sex": "male",
             "birth_date": "2010-02-03", "district": "1733217"},
            {"id": 2, "given_name": "Хуршид", "family_name": "Каримов", "sex": "male",
             "birth_date": "2010-02-03", "district": "1733217"},
            {"id": 3, "given_name": "", "family_name": "", "sex": "male"},
            {"id": 4, "given_name": "Aziz", "family_name": "Yusupov", "sex": "male",
             "birth_date": "2010-02-30"},  # a date that does not exist: compared without it
        ]  # fmt: skip
        result = scan.scan_records(records, threshold=0.01)
        self.assertEqual(result.people, 3)
        self.assertEqual([i for i, _ in result.skipped], ["3"])
        self.assertEqual(scan.comparison_row(records[3])["birth_date"], None)
