"""Recording an assessment: scoring rules, each bad input (nothing saved), the CSI interval, the case."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from oila.assessments import definitions, services
from oila.assessments.models import Assessment, Score
from oila.audit.models import AuditEvent
from oila.cases import services as cases
from oila.cases.models import Case, CaseEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from tests.assessments.factories import csi_scores, instrument, open_case, record, scores_for
from tests.base import OilaTestCase


class AssessmentRecordTests(OilaTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.case = open_case(self.alice, self.household)

    def counts(self) -> tuple[int, int]:
        return Assessment.objects.count(), Score.objects.count()

    def test_it_records_every_score_with_date_and_assessor(self) -> None:
        assessment = record(
            self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 1, "5B": 2})
        )
        self.assertEqual(assessment.assessor, self.alice)
        self.assertEqual(assessment.assessed_on, today())
        self.assertEqual(assessment.subject, self.child)
        scores = {s.item.code: s.value for s in assessment.scores.select_related("item")}
        self.assertEqual(len(scores), 12)
        self.assertEqual((scores["1A"], scores["5B"], scores["6B"]), (1, 2, 3))

    def test_it_moves_the_case_to_planning_and_writes_the_timeline_and_audit(self) -> None:
        assessment = record(self.alice, self.case, subject=self.child)
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual(case.step, Case.Step.PLANNING)
        self.assertIsNotNone(case.reassessment_due_on)
        event = CaseEvent.objects.get(case=case, kind="assessment.recorded")
        self.assertEqual(event.summary, f"CSI assessment recorded ({today().isoformat()}).")
        self.assertEqual(event.url, assessment.get_absolute_url())
        audit = AuditEvent.objects.get(action="assessment.record")
        self.assertEqual(audit.after["scores"]["1A"], 4)

    def test_it_records_a_household_assessment_without_a_person(self) -> None:
        assessment = record(self.alice, self.case, code="family-economy")
        self.assertIsNone(assessment.subject)
        self.assertEqual(assessment.scores.count(), instrument("family-economy").items.count())

    def test_it_takes_the_child_of_a_child_protection_case_by_default(self) -> None:
        case = open_case(self.alice, self.household, kind="child", subject=self.child)
        self.assertEqual(record(self.alice, case).subject, self.child)

    def assert_refused(self, message: str, **kwargs: object) -> None:
        before = self.counts(), AuditEvent.objects.count(), CaseEvent.objects.count()
        kwargs.setdefault("subject", self.child)
        with self.assertRaises((ValidationError, ApplicationError)) as raised:
            record(self.alice, self.case, **kwargs)  # type: ignore[arg-type]
        self.assertIn(message, str(raised.exception))
        after = self.counts(), AuditEvent.objects.count(), CaseEvent.objects.count()
        self.assertEqual(before, after, "nothing may be saved")

    def test_it_refuses_an_item_left_out_naming_it(self) -> None:
        scores = csi_scores()
        del scores["3B"]
        self.assert_refused("3B Legal protection: not scored.", scores=scores)

    def test_it_refuses_scores_outside_the_scale_naming_the_item(self) -> None:
        self.assert_refused(
            "1A Food security: 5 is not on the scale (1–4).", scores=csi_scores(**{"1A": 5})
        )
        self.assert_refused(
            "6B Education and work: 0 is not on the scale", scores=csi_scores(**{"6B": 0})
        )

    def test_it_refuses_a_score_that_is_not_a_number(self) -> None:
        scores: dict = csi_scores()
        scores["2A"] = "good"
        self.assert_refused("2A Shelter: good is not on the scale", scores=scores)

    def test_it_refuses_an_unknown_item(self) -> None:
        self.assert_refused(
            "9Z is not an item of this instrument.", scores={**csi_scores(), "9Z": 3}
        )

    def test_it_refuses_an_item_scored_twice(self) -> None:
        pairs = [*csi_scores().items(), ("4A", 2)]
        self.assert_refused("4A Wellness: scored more than once.", scores=pairs)

    def test_it_refuses_a_date_in_the_future(self) -> None:
        self.assert_refused("cannot be in the future", assessed_on=today() + dt.timedelta(days=1))

    def test_it_refuses_a_person_for_a_household_instrument_and_none_for_a_child_one(self) -> None:
        self.assert_refused("assesses the household", code="family-economy")
        self.assert_refused("Choose the person assessed.", subject=None)

    def test_it_refuses_a_person_outside_the_household(self) -> None:
        other = self.other_team_household().memberships.get().person
        self.assert_refused("not a member of the household", subject=other)

    def test_it_refuses_an_instrument_version_no_longer_in_use(self) -> None:
        old = instrument("csi")
        definition = json.loads((definitions.DATA_DIR / "csi-v1.json").read_text("utf-8"))
        services.instrument_load(actor=None, definition={**definition, "version": 2})
        old.refresh_from_db()
        with self.assertRaisesMessage(ApplicationError, "no longer in use"):
            services.assessment_record(
                actor=self.alice,
                case=self.case,
                instrument=old,
                assessed_on=today(),
                scores=csi_scores(),
                subject=self.child,
            )
        self.assertEqual(self.counts(), (0, 0))

    def test_it_refuses_a_closed_case(self) -> None:
        cases.case_closure_request(
            actor=self.alice, case=self.case, reason="refused", note="Moved on.", goals_met=False
        )
        cases.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")
        self.assert_refused("This case is closed.")

    def test_it_refuses_roles_that_do_not_work_with_cases(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                record(user, self.case, subject=self.child)
        self.assertEqual(self.counts(), (0, 0))

    def test_it_encrypts_the_notes_at_rest(self) -> None:
        assessment = record(
            self.alice, self.case, subject=self.child, notes="Father drinks; mother afraid."
        )
        self.assertEqual(Assessment.objects.get().notes, "Father drinks; mother afraid.")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT notes FROM assessments_assessment WHERE id = %s",
                [assessment.pk.hex] if connection.vendor == "sqlite" else [assessment.pk],
            )
            raw = cursor.fetchone()[0]
        self.assertTrue(raw.startswith("enc1:"))
        self.assertNotIn("drinks", raw)
        audit = AuditEvent.objects.get(action="assessment.record")
        self.assertEqual(audit.after["notes"], "[encrypted]")


class CsiIntervalTests(OilaTestCase):
    """A CSI at most every csi_reassessment_months (6 by default) per child, unless a supervisor
    records an earlier one with a reason."""

    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.case = open_case(self.alice, self.household)
        self.first = today() - dt.timedelta(days=100)
        record(self.alice, self.case, subject=self.child, assessed_on=self.first)

    def test_it_refuses_a_caseworker_a_csi_sooner_than_the_interval(self) -> None:
        with self.assertRaisesMessage(ApplicationError, "Only a supervisor may record one sooner"):
            record(self.alice, self.case, subject=self.child, early_reason="Crisis at home")
        self.assertEqual(Assessment.objects.count(), 1)

    def test_it_asks_a_supervisor_for_the_reason(self) -> None:
        with self.assertRaisesMessage(ApplicationError, "Give the reason for reassessing early."):
            record(self.bob, self.case, subject=self.child)
        self.assertEqual(Assessment.objects.count(), 1)

    def test_a_supervisor_may_reassess_early_with_a_reason(self) -> None:
        assessment = record(self.bob, self.case, subject=self.child, early_reason="Father left")
        self.assertEqual(Assessment.objects.get(pk=assessment.pk).early_reason, "Father left")

    def test_it_allows_a_csi_once_the_interval_has_passed(self) -> None:
        programme = self.programme
        programme.settings = {"csi_reassessment_months": 3}
        programme.save(update_fields=["settings"])
        self.case.programme.refresh_from_db()
        record(self.alice, self.case, subject=self.child)
        self.assertEqual(Assessment.objects.count(), 2)

    def test_the_interval_is_per_child_and_for_the_csi_only(self) -> None:
        record(self.alice, self.case, code="family-economy")
        self.assertEqual(Assessment.objects.count(), 2)

    def test_it_counts_backdated_assessments_too(self) -> None:
        with self.assertRaises(ApplicationError):
            record(
                self.alice,
                self.case,
                subject=self.child,
                assessed_on=self.first - dt.timedelta(days=30),
            )


class ScoresForTests(OilaTestCase):
    def test_it_scores_every_item(self) -> None:
        youth = instrument("youth-employability")
        self.assertEqual(len(scores_for(youth)), youth.items.count())
