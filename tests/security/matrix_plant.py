"""The records the authorization matrix walks: alice's household, child, case and everything hung on
it (plan, goal, action, assessment, service, consent, enrolment, a referral to School 12 — dave's
agency — and one to the polyclinic — hana's), a young person with a training and a placement, a
training event with a specialist, a duplicate candidate, a notification. Every value is a canary:
a string that must never reach a response for erin (M&E) or dave (partner) unless shared."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from oila.accounts import services as accounts
from oila.cases import services as cases
from oila.common.dates import today
from oila.dedup.models import DuplicateCandidate
from oila.plans.models import Action
from oila.public import services as public
from oila.registry import services as registry
from oila.results import services as results_services
from oila.training import services as training_services
from oila.youth.models import FollowUp
from tests.assessments.factories import record as assessment_record
from tests.cases.factories import sharing_consent
from tests.plans.factories import approved
from tests.support.factories import individual, refer
from tests.training.factories import event as training_event
from tests.training.factories import specialist
from tests.youth.factories import organisations, placement, training, young_person

CANARY_PINFL = "31405209876543"
CANARY_NOTE = "Canary-note: uncle threatens the family"
CANARY_ADDRESS = "Canary-koʻchasi 77"
CANARY_PATRONYMIC = "Kanareykovna"
# Strings a partner may see for a referral addressed to it (the shared fields) are not canaries;
# these are never shared with anyone outside the case team.
CANARIES = (CANARY_PINFL, CANARY_NOTE, CANARY_ADDRESS, "1985-03-01", "2014-05-20", "20.05.2014")
# Names: never for erin; for dave only the referred child's (shared for the referral).
NAMES = ("Dilshod", "Karimov", "Shahnoza", "Jasur")
OTHER_NAMES = ("Dilshod", "Jasur")  # the father's and the young man's: never referred


def results_framework(t: Any) -> dict[str, Any]:
    """The programme's default results framework (oila.results): the ids its pages take."""
    indicator = results_services.framework_install_default(actor=t.erin, programme=t.programme)[0]
    return {"outcome_id": indicator.outcome_id, "output_id": indicator.output_id,
            "indicator_id": indicator.pk, "target_id": indicator.targets.first().pk,
            "export_format": "iati"}  # fmt: skip


def plant(t: Any) -> dict[str, Any]:
    """Make the records on test case `t` (a SupportTestCase); return the URL kwargs by name."""
    registry.person_update(
        actor=t.alice, person=t.child, data={"pinfl": CANARY_PINFL, "patronymic": CANARY_PATRONYMIC}
    )
    registry.household_update(actor=t.alice, household=t.household,
                              data={"address": CANARY_ADDRESS})  # fmt: skip
    cases.visit_record(actor=t.alice, case=t.case, on=today(), kind="home", narrative=CANARY_NOTE)
    consent = sharing_consent(t.alice, t.child)
    t.referral = refer(t.alice, t.case, t.tutoring, t.partner_org)
    t.other_referral = refer(t.alice, t.case, t.checkup, t.health_org)
    plan = approved(t.alice, t.bob, t.case)
    action = Action.objects.get(goal__plan=plan)
    delivery = individual(t.alice, t.tutoring, t.child, case=t.case)
    assessment = assessment_record(t.alice, t.case)
    centre, employer = organisations()
    youth = young_person(t.alice, t.household)
    youth_training = training(t.alice, youth, centre)
    job = placement(t.alice, youth, employer)
    follow_up = FollowUp.objects.filter(placement=job).first()
    t.youth = youth
    event = training_event(t.frank)
    expert = specialist(t.frank, t.ngo)
    training_services.participants_add(actor=t.frank, event=event, people=[expert])
    participation = event.participations.first()
    twin = registry.person_create(
        actor=t.alice,
        data={"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
              "birth_date": dt.date(2014, 5, 20)},
        household=t.household, relationship="child", started_on=dt.date(2020, 1, 1),
    )  # fmt: skip
    a, b = sorted([t.child, twin], key=lambda p: str(p.pk))
    candidate, _ = DuplicateCandidate.objects.get_or_create(
        person_a=a, person_b=b, defaults={"score": 0.99, "source": "scan"}
    )
    note = accounts.notify(user=t.alice, kind="test", message="Hello", email=False)
    public.programme_publish(
        actor=t.frank, programme=t.programme, published=True, public_description="Public page"
    )
    missing = uuid.uuid4()  # no such record: everyone gets 404
    return {
        "household_id": t.household.pk, "person_id": t.child.pk, "case_id": t.case.pk,
        "consent_id": consent.pk, "enrolment_id": t.child.enrolments.first().pk,
        "plan_id": plan.pk, "goal_id": action.goal_id, "action_id": action.pk,
        "assessment_id": assessment.pk, "code": "csi", "delivery_id": delivery.pk,
        "referral_id": t.referral.pk, "training_id": youth_training.pk, "placement_id": job.pk,
        "follow_up_id": follow_up.pk if follow_up else missing, "event_id": event.pk,
        "participation_id": participation.pk if participation else missing,
        "candidate_id": candidate.pk, "merge_id": missing, "notification_id": note.pk,
        "session_id": 999999, "youth_person_id": youth.pk, "specialist_id": expert.pk,
        "instrument_id": assessment.instrument_id, "service_type_id": t.tutoring.pk,
        "missing": missing, "programme_slug": t.programme.slug,
        **results_framework(t),
    }  # fmt: skip
