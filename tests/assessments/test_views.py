"""Assessment pages: who may and who may not, the scoring form, change over time, query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from oila.assessments.models import Assessment, Score
from oila.audit.models import AuditEvent
from oila.common.dates import today
from tests.assessments.factories import csi_scores, open_case, record
from tests.base import OilaTestCase, with_audit

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")
INSIDERS = ("alice", "bob", "frank")


class PageTests(OilaTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.case = open_case(self.alice, self.household)

    def get(self, user: Any, url: str, **params: Any) -> Any:
        self.client.force_login(user)
        return self.client.get(url, params)


class CaseAssessmentsPageTests(PageTests):
    def url(self) -> str:
        return reverse("assessments:case-assessments", args=[self.case.pk])

    def test_it_is_for_the_caseworker_her_supervisor_and_the_manager(self) -> None:
        for name in INSIDERS:
            with self.subTest(user=name):
                self.assertEqual(self.get(getattr(self, name), self.url()).status_code, 200)

    def test_it_is_not_found_for_everyone_else(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.assertEqual(self.get(getattr(self, name), self.url()).status_code, 404)

    def test_it_redirects_anonymous_users_to_sign_in(self) -> None:
        self.assertEqual(self.client.get(self.url()).status_code, 302)

    def test_it_offers_the_instruments_in_use(self) -> None:
        response = self.get(self.alice, self.url())
        self.assertContains(response, "Child Status Index (CSI)")
        self.assertContains(response, "Family economic vulnerability (FEV)")
        self.assertContains(
            response,
            reverse("assessments:assessment-new", args=[self.case.pk, "youth-employability"]),
        )

    def test_it_shows_first_latest_change_and_a_trend_per_factor(self) -> None:
        start = today() - dt.timedelta(days=200)
        record(
            self.alice,
            self.case,
            subject=self.child,
            assessed_on=start,
            scores=csi_scores(3, **{"1A": 1}),
        )
        record(self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 4}))
        response = self.get(self.alice, self.url())
        group = response.context["page"].progress[0]
        self.assertEqual((group.factors[0].first, group.factors[0].latest), (1, 4))
        self.assertContains(
            response, '<td class="num better" data-label="Change">+3</td>', html=False
        )
        self.assertContains(response, 'aria-label="Scores over time: 1, 4"')
        self.assertContains(response, "2 assessments, from")

    def test_it_audits_the_read_once(self) -> None:
        record(self.alice, self.case, subject=self.child)
        before = AuditEvent.objects.filter(kind="read").count()
        self.get(self.alice, self.url())
        reads = AuditEvent.objects.filter(kind="read").order_by("-seq")
        self.assertEqual(reads.count(), before + 1)
        self.assertEqual(reads[0].action, "case.assessments.view")
        self.assertEqual(reads[0].target_id, str(self.case.pk))

    def test_its_query_count_does_not_grow_with_the_assessments(self) -> None:
        # session, user+team+programme+bell, case, assessments, scores, audit (savepoint, last
        # event, insert, release), instruments
        record(
            self.alice, self.case, subject=self.child, assessed_on=today() - dt.timedelta(days=400)
        )
        self.client.force_login(self.alice)
        self.client.get(self.url())
        with self.assertNumQueries(with_audit(10)):
            self.client.get(self.url())
        record(
            self.alice, self.case, subject=self.child, assessed_on=today() - dt.timedelta(days=200)
        )
        record(self.alice, self.case, subject=self.child)
        record(self.alice, self.case, code="family-economy")
        with self.assertNumQueries(with_audit(10)):
            response = self.client.get(self.url())
        self.assertEqual(len(response.context["page"].assessments), 4)


class AssessmentFormTests(PageTests):
    def url(self, code: str = "csi") -> str:
        return reverse("assessments:assessment-new", args=[self.case.pk, code])

    def post_data(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"assessed_on": today().isoformat(), "subject": self.child.pk}
        data.update({f"item_{code}": value for code, value in csi_scores(3).items()})
        data.update(overrides)
        return data

    def test_it_shows_each_factor_with_its_scores_guidance_as_radio_buttons(self) -> None:
        response = self.get(self.alice, self.url())
        self.assertContains(response, "<legend>1A Food security</legend>", html=True)
        self.assertContains(response, 'type="radio" name="item_1A" value="4"')
        self.assertContains(response, "Well fed; eats regularly all year.")
        self.assertContains(response, "Rarely has food; often goes to bed hungry.")
        self.assertContains(response, 'name="viewport"')

    def test_it_shows_the_guidance_in_the_users_language(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
        response = self.get(self.alice, self.url())
        self.assertContains(response, "Редко ест; часто ложится спать голодным.")

    def test_it_records_the_assessment_and_returns_to_the_list(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), self.post_data(item_1A="1"))
        self.assertRedirects(response, reverse("assessments:case-assessments", args=[self.case.pk]))
        assessment = Assessment.objects.get()
        self.assertEqual(assessment.scores.get(item__code="1A").value, 1)

    def test_it_shows_what_is_missing_and_saves_nothing(self) -> None:
        self.client.force_login(self.alice)
        data = self.post_data()
        del data["item_3B"]
        response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "Choose a score.", status_code=422)
        self.assertEqual((Assessment.objects.count(), Score.objects.count()), (0, 0))

    def test_it_refuses_a_score_outside_the_scale(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), self.post_data(item_1A="7"))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(Assessment.objects.count(), 0)

    def test_it_refuses_a_future_date(self) -> None:
        self.client.force_login(self.alice)
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        response = self.client.post(self.url(), self.post_data(assessed_on=tomorrow))
        self.assertContains(response, "cannot be in the future", status_code=422)
        self.assertEqual(Assessment.objects.count(), 0)

    def test_it_shows_the_service_refusal_for_a_csi_too_soon(self) -> None:
        record(
            self.alice, self.case, subject=self.child, assessed_on=today() - dt.timedelta(days=30)
        )
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), self.post_data())
        self.assertContains(response, "Only a supervisor may record one sooner", status_code=422)
        self.assertEqual(Assessment.objects.count(), 1)

    def test_only_supervisors_see_the_early_reason_field(self) -> None:
        self.assertNotContains(self.get(self.alice, self.url()), 'name="early_reason"')
        self.assertContains(self.get(self.bob, self.url()), 'name="early_reason"')

    def test_a_household_instrument_asks_for_no_person(self) -> None:
        response = self.get(self.alice, self.url("family-economy"))
        self.assertNotContains(response, 'name="subject"')
        self.assertContains(response, "Effects of Covid-19")

    def test_it_is_not_found_for_an_unknown_instrument_and_for_outsiders(self) -> None:
        self.assertEqual(self.get(self.alice, self.url("nothing")).status_code, 404)
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.assertEqual(self.get(getattr(self, name), self.url()).status_code, 404)
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.post(self.url(), self.post_data()).status_code, 404)
        self.assertEqual(Assessment.objects.count(), 0)


class AssessmentDetailTests(PageTests):
    def setUp(self) -> None:
        super().setUp()
        self.assessment = record(
            self.alice,
            self.case,
            subject=self.child,
            scores=csi_scores(3, **{"2A": 1}),
            notes="Roof leaks.",
        )

    def test_it_shows_each_score_with_its_meaning_and_audits_the_read(self) -> None:
        response = self.get(self.alice, self.assessment.get_absolute_url())
        self.assertContains(response, "No stable, adequate or safe place to live.")
        self.assertContains(response, "Roof leaks.")
        self.assertTrue(
            AuditEvent.objects.filter(
                action="assessment.view", target_id=str(self.assessment.pk)
            ).exists()
        )

    def test_it_is_not_found_for_outsiders_or_under_another_case(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.assertEqual(
                    self.get(getattr(self, name), self.assessment.get_absolute_url()).status_code,
                    404,
                )
        other = open_case(self.alice, self.household, kind="child", subject=self.child)
        url = reverse("assessments:assessment", args=[other.pk, self.assessment.pk])
        self.assertEqual(self.get(self.alice, url).status_code, 404)


class PersonChoiceTests(PageTests):
    def test_the_csi_offers_the_households_children_and_preselects_an_only_child(self) -> None:
        form = self.get(
            self.alice, reverse("assessments:assessment-new", args=[self.case.pk, "csi"])
        ).context["form"]
        self.assertEqual(list(form.fields["subject"].queryset), [self.child])
        self.assertEqual(form.fields["subject"].initial, self.child.pk)

    def test_the_youth_assessment_offers_the_young_people(self) -> None:
        url = reverse("assessments:assessment-new", args=[self.case.pk, "youth-employability"])
        form = self.get(self.alice, url).context["form"]
        self.assertEqual(list(form.fields["subject"].queryset), [])
