"""A case's services and referrals: a panel of the case page (loaded by htmx; a page of its own
without JavaScript)."""

from __future__ import annotations

from django.urls import reverse

from oila.common.dates import today
from oila.support import services
from tests.base import with_audit
from tests.cases.factories import sharing_consent
from tests.support.base import SupportTestCase
from tests.support.factories import individual, refer
from tests.support.test_deliveries import children


class CaseSupportPanelTests(SupportTestCase):
    def url(self) -> str:
        return reverse("support:case-support", args=[self.case.pk])

    def test_the_case_page_loads_the_panel_and_links_to_it(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.case.get_absolute_url())
        self.assertContains(response, f'hx-get="{self.url()}"')
        self.assertContains(response, f'href="{self.url()}"')

    def test_it_shows_the_cases_services_group_sessions_attended_and_referrals(self) -> None:
        sharing_consent(self.alice, self.child)
        on_case = individual(self.alice, self.tutoring, self.child, case=self.case)
        group = services.delivery_record(
            actor=self.alice, service_type=self.group_type, kind="group", delivered_on=today(),
            attended=[self.child, *children(self.alice, 3, self.urganch)], duration_minutes=60,
            provider_user=self.bob,
        )  # fmt: skip
        elsewhere = individual(
            self.alice, self.tutoring, children(self.alice, 1, self.urganch, "Boshqa")[0]
        )
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        self.login(self.alice)
        page = self.client.get(self.url())
        self.assertTemplateUsed(page, "support/case_support.html")
        for url in (
            on_case.get_absolute_url(),
            group.get_absolute_url(),
            referral.get_absolute_url(),
        ):
            self.assertContains(page, url)
        self.assertNotContains(page, elsewhere.get_absolute_url())
        partial = self.client.get(self.url(), headers={"HX-Request": "true"})
        self.assertTemplateNotUsed(partial, "support/case_support.html")
        self.assertContains(partial, referral.get_absolute_url())
        # session, user+team+programme+bell (visibility), the case, the deliveries (on the case or
        # attended by its children, a subquery), the referrals, the read's audit event (savepoint,
        # chain head, insert, release)
        with self.assertNumQueries(with_audit(9)):
            self.client.get(self.url())
        for _i in range(3):
            individual(self.alice, self.tutoring, self.child, case=self.case)
            refer(self.alice, self.case, self.tutoring, self.partner_org)
        with self.assertNumQueries(with_audit(9)):
            self.client.get(self.url())

    def test_it_is_not_found_for_other_teams_and_roles(self) -> None:
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url()).status_code, 404)
