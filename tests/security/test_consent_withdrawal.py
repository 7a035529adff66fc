"""Withdrawing a consent stops the processing it covered (GDPR art. 7(3); ASVS 4.0.3 8.3.3): once
the child's consent to share information is withdrawn, a new referral of her is refused; the
withdrawal itself is audited and the consent record stays as evidence."""

from __future__ import annotations

import datetime as dt

from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.registry import services as registry
from oila.support.models import Referral
from tests.cases.factories import sharing_consent
from tests.support.base import SupportTestCase
from tests.support.factories import refer


class ConsentWithdrawalTests(SupportTestCase):
    def test_it_refuses_a_new_referral_after_the_sharing_consent_is_withdrawn(self) -> None:
        consent = sharing_consent(self.alice, self.child, given_on=today() - dt.timedelta(days=30))
        refer(self.alice, self.case, self.tutoring, self.partner_org)  # allowed while consented
        registry.consent_withdraw(actor=self.alice, consent=consent, withdrawn_on=today())
        with self.assertRaises(ApplicationError) as raised:
            refer(self.alice, self.case, self.checkup, self.health_org)
        self.assertIn("consent", str(raised.exception).lower())
        self.assertEqual(Referral.objects.filter(person=self.child).count(), 1)
        consent.refresh_from_db()
        self.assertEqual(consent.withdrawn_on, today())  # the record stays, as evidence
        self.assertTrue(
            AuditEvent.objects.filter(action="consent.withdraw", target_id=str(consent.pk)).exists()
        )
