"""Writes for services and referrals. Each validates, saves, writes its audit event, a line on the
case's timeline (cases.services.case_event_add) and any notification in one transaction.

Timeline and notification texts are English msgids (gettext_noop) translated when shown; a service's
name, which is data, goes in as a parameter in the deployment's language. Narratives (a referral's
reason, a decline's reason, feedback, notes) are encrypted fields and go on no timeline.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oila.accounts.models import Organisation, Programme, Role, User
from oila.accounts.rules import is_admin, is_manager
from oila.accounts.services import notify
from oila.audit import services as audit
from oila.cases import services as cases
from oila.cases.models import Case
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.common.services import snapshot
from oila.plans import services as plans
from oila.plans.models import Action, Plan
from oila.registry.models import Household, Membership, Person
from oila.support import catalogue, selectors
from oila.support.models import (
    DeliveryAttendance,
    OrganisationService,
    Referral,
    ServiceDelivery,
    ServiceType,
)
from oila.support.visibility import can_override_consent, is_partner_of, may_record

STAFF_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.MANAGER)
DELIVERY_MESSAGES = {
    ServiceDelivery.Kind.INDIVIDUAL: gettext_noop("Service recorded: %(service)s."),
    ServiceDelivery.Kind.GROUP: gettext_noop(
        "Group session recorded: %(service)s (%(present)s present)."
    ),
}
REFERRAL_SENT = {
    Referral.Urgency.HIGH: gettext_noop(
        "Referred to %(organisation)s for %(service)s (high urgency)."
    ),
    Referral.Urgency.NORMAL: gettext_noop(
        "Referred to %(organisation)s for %(service)s (normal urgency)."
    ),
    Referral.Urgency.LOW: gettext_noop(
        "Referred to %(organisation)s for %(service)s (low urgency)."
    ),
}
REFERRAL_ANSWERS = {
    Referral.Status.ACCEPTED: gettext_noop(
        "%(organisation)s accepted the referral for %(service)s."
    ),
    Referral.Status.DECLINED: gettext_noop(
        "%(organisation)s declined the referral for %(service)s."
    ),
    Referral.Status.COMPLETED: gettext_noop(
        "%(organisation)s completed the referral for %(service)s."
    ),
    Referral.Status.NOT_COMPLETED: gettext_noop(
        "%(organisation)s could not complete the referral for %(service)s."
    ),
}
REFERRAL_NOTICES = {
    Referral.Status.ACCEPTED: gettext_noop(
        "%(organisation)s accepted the referral of case %(number)s (%(service)s)."
    ),
    Referral.Status.DECLINED: gettext_noop(
        "%(organisation)s declined the referral of case %(number)s (%(service)s)."
    ),
    Referral.Status.COMPLETED: gettext_noop(
        "%(organisation)s completed the referral of case %(number)s (%(service)s)."
    ),
    Referral.Status.NOT_COMPLETED: gettext_noop(
        "%(organisation)s could not complete the referral of case %(number)s (%(service)s)."
    ),
}


# ---------------------------------------------------------------------------------------------------
# Helpers


def _require_recorder(actor: User) -> None:
    if not may_record(actor):
        raise PermissionDenied(_("Your role does not record services or make referrals."))


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ApplicationError(_("This case is closed. Reopen it first."))


def _service_name(service_type: ServiceType) -> str:
    """A service's name for a timeline line or a notification: in the deployment's language."""
    return service_type.name_in(settings.LANGUAGE_CODE)


def _works_on(actor: User, programme_id: Any) -> bool:
    if actor.team_id is not None:
        return bool(actor.team and actor.team.programme_id == programme_id)
    return actor.programmes.filter(pk=programme_id).exists()


def _check_service_type(actor: User, service_type: ServiceType, case: Case | None) -> None:
    if not service_type.active:
        raise ApplicationError(_("This service is no longer offered."), field="service_type")
    programme_id = case.programme_id if case is not None else None
    if programme_id is not None and service_type.programme_id != programme_id:
        raise ApplicationError(_("Choose a service of the case's programme."), field="service_type")
    if programme_id is None and not _works_on(actor, service_type.programme_id):
        raise ApplicationError(_("Choose a service of your programme."), field="service_type")


def _check_plan_action(
    action: Action | None, case: Case | None, organisation: Organisation | None = None
) -> None:
    """A plan action a service or a referral fulfils: open, on the case's draft or approved plan,
    and for a referral, the responsibility of the agency referred to (whose report marks it done)."""
    if action is None:
        return
    if case is None:
        raise ApplicationError(
            _("A plan action can be linked only to a service recorded on its case."),
            field="plan_action",
        )
    plan = action.goal.plan
    if plan.case_id != case.pk or plan.status not in (Plan.Status.DRAFT, Plan.Status.APPROVED):
        raise ApplicationError(_("Choose an action of this case's plan."), field="plan_action")
    if action.status not in Action.OPEN_STATUSES:
        raise ApplicationError(_("This action is already done or cancelled."), field="plan_action")
    if organisation is not None and action.responsible_organisation_id != organisation.pk:
        raise ApplicationError(
            _("Choose an action that the agency you refer to is responsible for."),
            field="plan_action",
        )


def _mark_action_done(actor: User, action: Action | None) -> None:
    """Mark the linked plan action done, if it still can be (it may have been finished or its plan
    replaced meanwhile: the service or the report stands either way)."""
    if action is None:
        return
    action = (
        Action.objects.select_related("goal__plan__case").filter(pk=action.pk).first() or action
    )
    plan = action.goal.plan
    if action.status in Action.OPEN_STATUSES and plan.status in (
        Plan.Status.DRAFT,
        Plan.Status.APPROVED,
    ):
        plans.action_set_status(actor=actor, action=action, status=Action.Status.DONE)


def _ids(values: Iterable[Any], field: str) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(value.pk if isinstance(value, Person) else uuid.UUID(str(value)))
        except (TypeError, ValueError, AttributeError):
            raise ApplicationError(_("Unknown person."), field=field) from None
    return out


# ---------------------------------------------------------------------------------------------------
# Catalogue (configuration)


@transaction.atomic
def service_catalogue_seed(*, programme: Programme, actor: User | None = None) -> int:
    """Give a programme the shipped service catalogue (the types it does not have yet, by code)."""
    added = catalogue.write(programme.pk, service_type_model=ServiceType)
    if added:
        audit.record(
            actor=actor or "system",
            action="service_catalogue.seed",
            target=programme,
            after={"added": added},
        )
    return added


@transaction.atomic
def organisation_services_set(
    *, actor: User, organisation: Organisation, service_types: Iterable[ServiceType]
) -> list[OrganisationService]:
    """Say which service types an agency offers (replacing what it offered); for administrators and
    programme managers."""
    if not (is_admin(actor) or is_manager(actor)):
        raise PermissionDenied(_("Only administrators and programme managers configure agencies."))
    wanted = {st.pk: st for st in service_types}
    current = {
        o.service_type_id: o for o in OrganisationService.objects.filter(organisation=organisation)
    }
    before = sorted(str(pk) for pk in current)
    OrganisationService.objects.filter(
        organisation=organisation, service_type__in=[pk for pk in current if pk not in wanted]
    ).delete()
    created = [
        OrganisationService(organisation=organisation, service_type=st)
        for pk, st in wanted.items()
        if pk not in current
    ]
    for row in created:
        row.full_clean()
    OrganisationService.objects.bulk_create(created)
    audit.record(
        actor=actor,
        action="organisation.services",
        target=organisation,
        before={"service_types": before},
        after={"service_types": sorted(str(pk) for pk in wanted)},
    )
    return list(OrganisationService.objects.filter(organisation=organisation))


# ---------------------------------------------------------------------------------------------------
# Service delivery


def _check_provider(
    service_type: ServiceType, user: User | None, organisation: Organisation | None
) -> None:
    if (user is None) == (organisation is None):
        raise ApplicationError(
            _("Choose who provided the service: a staff member or an agency."), field="provider"
        )
    if user is not None and not (
        user.is_active and user.role in STAFF_ROLES and _works_on(user, service_type.programme_id)
    ):
        raise ApplicationError(
            _("Choose an active staff member of this programme."), field="provider"
        )
    if organisation is not None and not selectors.offers(
        organisation=organisation, service_type=service_type
    ):
        raise ApplicationError(
            _("%(agency)s does not offer %(service)s.")
            % {"agency": organisation.name, "service": service_type.name},
            field="provider",
        )


def _check_attendees(
    actor: User,
    service_type: ServiceType,
    case: Case | None,
    kind: str,
    attended: list[uuid.UUID],
    absent: list[uuid.UUID],
) -> None:
    """Everyone on the list is someone the actor may see and enrolled in the programme (one query
    whatever the list's length); an individual session on a case is for one of the case's people."""
    if set(attended) & set(absent):
        raise ApplicationError(_("Someone is marked both present and absent."), field="attendees")
    everyone = [*attended, *absent]
    if len(set(everyone)) != len(everyone):
        raise ApplicationError(_("Someone is named twice."), field="attendees")
    if kind == ServiceDelivery.Kind.GROUP:
        if not service_type.is_group_capable:
            raise ApplicationError(
                _("%(service)s is not delivered in groups.") % {"service": service_type.name},
                field="kind",
            )
        if not attended:
            raise ApplicationError(_("Tick who attended."), field="attendees")
    elif len(attended) != 1 or absent:
        raise ApplicationError(
            _("An individual session is for exactly one person."), field="attendees"
        )
    found = selectors.attendees_check(
        user=actor,
        programme_id=service_type.programme_id,
        person_ids=everyone,
        household_id=case.household_id if case is not None else None,
    )
    if len(found) != len(everyone):
        raise ApplicationError(
            _("Someone on the list is not a person you may record services for."),
            field="attendees",
        )
    not_enrolled = sorted(a.name for a in found.values() if not a.enrolled)
    if not_enrolled:
        raise ApplicationError(
            _("Not enrolled in the programme: %(names)s. Nothing was saved.")
            % {"names": ", ".join(not_enrolled)},
            field="attendees",
        )
    if case is not None and kind == ServiceDelivery.Kind.INDIVIDUAL:
        person = found[attended[0]]
        in_case = (
            person.pk == case.subject_id if case.kind == Case.Kind.CHILD else person.in_household
        )
        if not in_case:
            raise ApplicationError(
                _("%(name)s is not one of the people this case is about.") % {"name": person.name},
                field="attendees",
            )


@transaction.atomic
def delivery_record(
    *,
    actor: User,
    service_type: ServiceType,
    kind: str,
    delivered_on: dt.date,
    attended: Sequence[Any],
    absent: Sequence[Any] = (),
    case: Case | None = None,
    provider_user: User | None = None,
    provider_organisation: Organisation | None = None,
    duration_minutes: int | None = None,
    quantity: Decimal | None = None,
    cost_uzs: int | None = None,
    notes: str = "",
    plan_action: Action | None = None,
    external_id: str = "",
) -> ServiceDelivery:
    """Record a service: an individual session (one person) or a group session (who attended, and
    who was expected but absent), on a case or not. A linked plan action is marked done.
    `external_id` is the record's id in another register (imports, oila.transfer).

    The number of queries does not depend on the number of attendees: they are checked in one query
    and written in one bulk insert.
    """
    _require_recorder(actor)
    if kind not in ServiceDelivery.Kind.values:
        raise ApplicationError(_("Choose an individual or a group session."), field="kind")
    if case is not None:
        _require_open(case)
    _check_service_type(actor, service_type, case)
    if delivered_on > today():
        raise ApplicationError(_("This date cannot be in the future."), field="delivered_on")
    if provider_user is not None and provider_user.pk == actor.pk:
        provider_user = actor  # most often the recorder: their team is loaded already
    _check_provider(service_type, provider_user, provider_organisation)
    present = _ids(attended, "attendees")
    missing = _ids(absent, "attendees")
    _check_attendees(actor, service_type, case, kind, present, missing)
    _check_plan_action(plan_action, case)
    if duration_minutes is None and quantity is None:
        raise ApplicationError(_("Give the duration or the quantity."), field="duration_minutes")
    if case is not None:
        owners = {"programme_id": case.programme_id, "team_id": case.team_id}
        owners["caseworker_id"] = case.caseworker_id
    else:
        owners = {
            "programme_id": service_type.programme_id,
            "team_id": actor.team_id,
            "caseworker_id": actor.pk if actor.role == Role.CASEWORKER else None,
        }
    delivery = ServiceDelivery(
        service_type=service_type,
        kind=kind,
        case=case,
        delivered_on=delivered_on,
        provider_user=provider_user,
        provider_organisation=provider_organisation,
        duration_minutes=duration_minutes,
        quantity=quantity,
        cost_uzs=cost_uzs,
        notes=(notes or "").strip(),
        plan_action=plan_action,
        recorded_by=actor,
        external_id=(external_id or "").strip(),
        **owners,
    )
    # The related rows were checked above (or come from the case), and so were the rules of the
    # check constraints (which the database enforces too): re-checking each would cost a query
    # apiece, and a new random key needs no uniqueness check.
    delivery.full_clean(
        exclude=[
            "service_type", "case", "provider_user", "provider_organisation", "plan_action",
            "recorded_by", "programme", "team", "caseworker",
        ],
        validate_unique=False,
        validate_constraints=False,
    )  # fmt: skip
    delivery.save(force_insert=True)
    # One insert for the whole list; the people were checked in _check_attendees.
    DeliveryAttendance.objects.bulk_create(
        [DeliveryAttendance(delivery=delivery, person_id=pk, attended=True) for pk in present]
        + [DeliveryAttendance(delivery=delivery, person_id=pk, attended=False) for pk in missing]
    )
    audit.record(
        actor=actor,
        action="delivery.record",
        target=delivery,
        after={
            **snapshot(
                delivery,
                [
                    "service_type", "kind", "case", "delivered_on", "provider_user",
                    "provider_organisation", "duration_minutes", "quantity", "cost_uzs",
                    "plan_action",
                ],
            ),
            "attended": [str(pk) for pk in present],
            "absent": [str(pk) for pk in missing],
        },
    )  # fmt: skip
    if case is not None:
        cases.case_event_add(
            case=case,
            actor=actor,
            kind="support.delivery",
            message=DELIVERY_MESSAGES[ServiceDelivery.Kind(kind)],
            params={"service": _service_name(service_type), "present": len(present)},
            url=delivery.get_absolute_url(),
        )
    _mark_action_done(actor, plan_action)
    return delivery


# ---------------------------------------------------------------------------------------------------
# Referrals


def _check_referred(case: Case, person: Person | None, household: Household | None) -> None:
    if (person is None) == (household is None):
        raise ApplicationError(_("Refer either a person or the household."), field="referred")
    if household is not None and household.pk != case.household_id:
        raise ApplicationError(_("Refer the case's household."), field="referred")
    if person is not None:
        if case.kind == Case.Kind.CHILD:
            ok = person.pk == case.subject_id
        else:
            ok = Membership.objects.filter(
                household=case.household_id, person=person, ended_on__isnull=True
            ).exists()
        if not ok:
            raise ApplicationError(
                _("This person is not one of the people this case is about."), field="referred"
            )


def _missing_consent(person: Person | None, household: Household | None, actor: User) -> str:
    if person is not None:
        text = _(
            "No current consent to share information about %(name)s: record the consent on their "
            "page first."
        ) % {"name": person.full_name}
    else:
        assert household is not None
        text = _(
            "No current consent to share information from an adult member of the %(name)s "
            "household: record it on their page first."
        ) % {"name": household.name}
    if can_override_consent(actor):
        text += " " + _("Or send it without consent by giving the reason for the override.")
    return text


def _response_due(programme: Programme, urgency: str) -> dt.date:
    days = programme.setting("referral_response_days") or {}
    return today() + dt.timedelta(days=int(days.get(urgency, 7)))


def _referral_url(referral: Referral) -> str:
    return reverse("support:referral", args=[referral.pk])


def _partner_url(referral: Referral) -> str:
    return reverse("support:partner-referral", args=[referral.pk])


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    service_type: ServiceType,
    to_organisation: Organisation,
    reason: str,
    urgency: str = Referral.Urgency.NORMAL,
    person: Person | None = None,
    household: Household | None = None,
    from_organisation: Organisation | None = None,
    plan_action: Action | None = None,
    override_reason: str = "",
) -> Referral:
    """Refer a person or the household of a case to a partner agency for a service.

    Needs a current consent to share information (the person's, or for a household an adult
    member's); without one, only a supervisor or a programme manager may send it, with a reason for
    the override, which is audited ("referral.consent_override"). The agency must offer the service.
    """
    _require_recorder(actor)
    _require_open(case)
    _check_service_type(actor, service_type, case)
    _check_referred(case, person, household)
    if urgency not in Referral.Urgency.values:
        raise ApplicationError(_("Choose the urgency."), field="urgency")
    if not (reason or "").strip():
        raise ApplicationError(_("Say why you refer them."), field="reason")
    programme = case.programme
    sender = from_organisation or programme.organisation
    if sender.pk == to_organisation.pk:
        raise ApplicationError(
            _("An agency cannot refer to itself: choose another agency."), field="to_organisation"
        )
    if not selectors.offers(organisation=to_organisation, service_type=service_type):
        raise ApplicationError(
            _("%(agency)s does not offer %(service)s: choose an agency that does.")
            % {"agency": to_organisation.name, "service": service_type.name},
            field="to_organisation",
        )
    _check_plan_action(plan_action, case, to_organisation)
    consent = selectors.current_sharing_consent(person=person, household=household)
    override = (override_reason or "").strip() if consent is None else ""
    if consent is None and not override:
        raise ApplicationError(_missing_consent(person, household, actor), field="consent")
    if override and not can_override_consent(actor):
        raise ApplicationError(
            _(
                "There is no consent to share information, and only a supervisor or a programme "
                "manager may send a referral without one."
            ),
            field="override_reason",
        )
    referral = Referral(
        programme=programme,
        case=case,
        person=person,
        household=household,
        service_type=service_type,
        from_organisation=sender,
        to_organisation=to_organisation,
        urgency=urgency,
        reason=reason.strip(),
        response_due_on=_response_due(programme, urgency),
        consent=consent,
        override_reason=override,
        override_by=actor if override else None,
        plan_action=plan_action,
        referred_by=actor,
    )
    referral.full_clean()
    referral.save(force_insert=True)
    fields = [
        "case", "person", "household", "service_type", "from_organisation", "to_organisation",
        "urgency", "response_due_on", "consent", "plan_action",
    ]  # fmt: skip
    audit.record(
        actor=actor, action="referral.create", target=referral, after=snapshot(referral, fields)
    )
    if override:
        audit.record(
            actor=actor,
            action="referral.consent_override",
            target=referral,
            after={"person": str(person.pk) if person else None,
                   "household": str(household.pk) if household else None},
            note=override,
        )  # fmt: skip
    params = {"organisation": to_organisation.name, "service": _service_name(service_type)}
    cases.case_event_add(
        case=case,
        actor=actor,
        kind="support.referral",
        message=REFERRAL_SENT[Referral.Urgency(urgency)],
        params=params,
        url=_referral_url(referral),
    )
    if override:
        cases.case_event_add(
            case=case,
            actor=actor,
            kind="support.consent_override",
            message=gettext_noop(
                "The referral was sent without a recorded consent to share information "
                "(override by %(actor)s)."
            ),
            params={"actor": actor.display_name},
            url=_referral_url(referral),
        )
    for user in selectors.partner_focal_points(organisation=to_organisation):
        notify(
            user=user,
            kind="referral.new",
            message=gettext_noop(
                "New referral from %(organisation)s: %(service)s, answer due by %(due)s."
            ),
            params={
                "organisation": sender.name,
                "service": _service_name(service_type),
                "due": referral.response_due_on.isoformat(),
            },
            url=_partner_url(referral),
        )
    return referral


def _require_responder(actor: User, referral: Referral) -> None:
    """The agency's focal points answer; the programme's staff may record an answer for it."""
    if not (is_partner_of(actor, referral.to_organisation_id) or may_record(actor)):
        raise PermissionDenied(_("Only the agency referred to may answer this referral."))


def _locked(referral: Referral, expected: str, message: str) -> Referral:
    """Re-read the status under a row lock, so two answers at once cannot both pass."""
    status = (
        Referral.objects.select_for_update()
        .filter(pk=referral.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != expected:
        raise ApplicationError(message)
    return referral


def _answered(actor: User, referral: Referral, status: str, before: dict[str, Any]) -> None:
    """The audit event, the timeline line and the referrer's notification of an answer."""
    fields = ["status", "responded_at", "responded_by", "reported_at", "reported_by"]
    audit.record(
        actor=actor,
        action=f"referral.{status}",
        target=referral,
        before=before,
        after=snapshot(referral, fields),
    )
    service = _service_name(referral.service_type)
    organisation = referral.to_organisation.name
    cases.case_event_add(
        case=referral.case,
        actor=actor,
        kind=f"support.referral_{status}",
        message=REFERRAL_ANSWERS[Referral.Status(status)],
        params={"organisation": organisation, "service": service},
        url=_referral_url(referral),
    )
    referrer = referral.referred_by
    if referrer.pk != actor.pk and referrer.is_active:
        notify(
            user=referrer,
            kind=f"referral.{status}",
            message=REFERRAL_NOTICES[Referral.Status(status)],
            params={
                "organisation": organisation,
                "number": referral.case.number,
                "service": service,
            },
            url=_referral_url(referral),
        )


@transaction.atomic
def referral_accept(*, actor: User, referral: Referral) -> Referral:
    """The agency accepts a referral it was sent."""
    _require_responder(actor, referral)
    _locked(referral, Referral.Status.SENT, _("This referral was already answered."))
    before = snapshot(referral, ["status"])
    referral.status = Referral.Status.ACCEPTED
    referral.responded_at, referral.responded_by = timezone.now(), actor
    referral.save(update_fields=["status", "responded_at", "responded_by", "updated_at"])
    _answered(actor, referral, referral.status, before)
    return referral


@transaction.atomic
def referral_decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    """The agency declines a referral it was sent, saying why."""
    _require_responder(actor, referral)
    if not (reason or "").strip():
        raise ApplicationError(_("Say why the referral is declined."), field="reason")
    _locked(referral, Referral.Status.SENT, _("This referral was already answered."))
    before = snapshot(referral, ["status"])
    referral.status = Referral.Status.DECLINED
    referral.responded_at, referral.responded_by = timezone.now(), actor
    referral.decline_reason = reason.strip()
    referral.save(
        update_fields=["status", "responded_at", "responded_by", "decline_reason", "updated_at"]
    )
    _answered(actor, referral, referral.status, before)
    return referral


@transaction.atomic
def referral_report(*, actor: User, referral: Referral, completed: bool, feedback: str) -> Referral:
    """The agency reports back on an accepted referral: completed or not, with feedback. Completing
    it marks the linked plan action done."""
    _require_responder(actor, referral)
    if not (feedback or "").strip():
        raise ApplicationError(_("Write what came of the referral."), field="feedback")
    _locked(
        referral,
        Referral.Status.ACCEPTED,
        _("Only an accepted referral can be reported on, and only once."),
    )
    before = snapshot(referral, ["status"])
    referral.status = Referral.Status.COMPLETED if completed else Referral.Status.NOT_COMPLETED
    referral.reported_at, referral.reported_by = timezone.now(), actor
    referral.feedback = feedback.strip()
    referral.save(update_fields=["status", "reported_at", "reported_by", "feedback", "updated_at"])
    _answered(actor, referral, referral.status, before)
    if completed:
        _mark_action_done(actor, referral.plan_action)
    return referral
