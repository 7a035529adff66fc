"""Withdrawing a consent stops the processing it covered (GDPR art. 7(3)): without a current
consent to share information, neither a referral to a partner nor a transfer of the case to
another agency shares the child's data; with it again, both work."""

from __future__ import annotations

import datetime as dt

from oila.cases import services as cases
from oila.cases.models import Case
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.registry import services as registry
from oila.support.models import Referral
from tests.cases.factories import sharing_consent
from tests.support.base import SupportTestCase
from tests.support.factories import refer


class SharingConsentWithdrawalTests(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.consent = sharing_consent(
            self.alice, self.child, given_on=today() - dt.timedelta(days=30)
        )
        registry.consent_withdraw(actor=self.alice, consent=self.consent, withdrawn_on=today())

    def test_a_withdrawn_consent_blocks_a_referral(self) -> None:
        with self.assertRaisesMessage(ApplicationError, "No current consent to share information"):
            refer(self.alice, self.case, self.tutoring, self.partner_org)
        self.assertFalse(Referral.objects.exists())

    def test_a_withdrawn_consent_blocks_a_transfer_to_another_agency(self) -> None:
        with self.assertRaisesMessage(ApplicationError, "No current consent to share information"):
            cases.case_transfer(actor=self.bob, case=self.case, organisation=self.partner_org,
                                reason="The family moved to the school's district.")  # fmt: skip
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.OPEN)

    def test_a_new_consent_allows_both_again(self) -> None:
        sharing_consent(self.alice, self.child, given_on=today())
        refer(self.alice, self.case, self.tutoring, self.partner_org)
        self.assertEqual(Referral.objects.count(), 1)
        cases.case_transfer(actor=self.bob, case=self.case, organisation=self.partner_org,
                            reason="The family moved to the school's district.")  # fmt: skip
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.TRANSFERRED)
