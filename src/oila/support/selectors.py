"""Reads of services and referrals. Every one takes the user and applies support.visibility's rule.

Partner focal points never get a model instance from here for a page or an API answer: they get a
`SharedReferral`, built by `shared_referral` from the programme's list of shared fields (minimum
necessary), which has no other field of the person, household or case in it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, Programme, Role, User
from oila.accounts.rules import is_partner, works_with_cases
from oila.accounts.selectors import programmes_of
from oila.audit import services as audit
from oila.cases.models import Case
from oila.cases.selectors import case_children, case_get
from oila.common.dates import age_on, today
from oila.common.ids import uuid_or_404
from oila.geo.models import Mahalla
from oila.plans.models import Action, Plan
from oila.registry.models import Consent, Enrolment, Household, Membership, Person
from oila.registry.visibility import owned_scope
from oila.support.models import (
    DeliveryAttendance,
    OrganisationService,
    Referral,
    ServiceDelivery,
    ServiceType,
)
from oila.support.visibility import delivery_scope, referral_scope

ADULT_AGE = 18
# Members whose consent counts for their household when their date of birth is not known.
CAREGIVER_RELATIONSHIPS = (
    Membership.Relationship.HEAD,
    Membership.Relationship.SPOUSE,
    Membership.Relationship.PARENT,
    Membership.Relationship.CAREGIVER,
)
# Every field a programme may share with a partner agency, in the order they are shown. Nothing else
# can be shared: not the PINFL, not notes, not the case, not other members.
SHAREABLE_FIELDS: dict[str, Any] = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "patronymic": _("Patronymic"),
    "sex": _("Sex"),
    "age": _("Age"),
    "birth_date": _("Date of birth"),
    "district": _("District"),
    "mahalla": _("Mahalla"),
    "address": _("Address"),
    "phone": _("Phone"),
    "service": _("Service"),
    "urgency": _("Urgency"),
    "reason": _("Reason for the referral"),
}


# ---------------------------------------------------------------------------------------------------
# The catalogue


def service_type_list(
    *, user: Any, programme_ids: list[Any] | None = None, group_only: bool = False
) -> QuerySet[ServiceType]:
    """Service types in use of the user's programmes (a partner: those its agency offers)."""
    if is_partner(user):
        qs = ServiceType.objects.filter(offered_by__organisation=user.organisation_id)
    else:
        ids = programme_ids if programme_ids is not None else user_programme_ids(user=user)
        qs = ServiceType.objects.filter(programme__in=ids)
    qs = qs.filter(active=True)
    if group_only:
        qs = qs.filter(is_group_capable=True)
    return qs.select_related("programme").order_by("programme__name", "order", "code")


def service_type_get(*, user: Any, service_type_id: Any) -> ServiceType:
    """One service type of the user's programmes; 404 otherwise."""
    service_type = (
        service_type_list(user=user).filter(pk=uuid_or_404(service_type_id)).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if service_type is None:
        raise Http404
    return service_type


def user_programme_ids(*, user: Any) -> list[Any]:
    """The programmes a user works on (ids), in one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(programmes_of(user=user).values_list("pk", flat=True))


def agencies_offering(*, programme_ids: list[Any]) -> QuerySet[Organisation]:
    """Agencies that offer at least one service type of these programmes, with what they offer."""
    offers = OrganisationService.objects.filter(service_type__programme__in=programme_ids)
    return Organisation.objects.filter(pk__in=offers.values("organisation_id")).order_by("name")


def offers(*, organisation: Organisation, service_type: ServiceType) -> bool:
    """Whether an agency offers a service type."""
    return OrganisationService.objects.filter(
        organisation=organisation, service_type=service_type
    ).exists()


def programme_staff(*, programme_ids: list[Any]) -> QuerySet[User]:
    """Active caseworkers, supervisors and managers of these programmes (providers of a service)."""
    return (
        User.objects.filter(
            Q(team__programme__in=programme_ids) | Q(programmes__in=programme_ids),
            is_active=True,
            role__in=[Role.CASEWORKER, Role.SUPERVISOR, Role.MANAGER],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# ---------------------------------------------------------------------------------------------------
# Enrolment and consent


def enrolled_q(programme_id: Any) -> Q:
    """People enrolled in a programme: their own active enrolment, their household's, or a member of
    their household's (a parent of an enrolled child is served as the child's family)."""
    active = Enrolment.objects.filter(programme=programme_id, status=Enrolment.Status.ACTIVE)
    own = active.filter(person=OuterRef("pk"))
    household = active.filter(
        household__memberships__person=OuterRef("pk"),
        household__memberships__ended_on__isnull=True,
    )
    family = active.filter(
        person__memberships__ended_on__isnull=True,
        person__memberships__household__memberships__person=OuterRef("pk"),
        person__memberships__household__memberships__ended_on__isnull=True,
    )
    return Q(Exists(own)) | Q(Exists(household)) | Q(Exists(family))


@dataclass(frozen=True)
class Attendee:
    pk: uuid.UUID
    name: str
    enrolled: bool
    in_household: bool


def attendees_check(
    *, user: Any, programme_id: Any, person_ids: list[Any], household_id: Any = None
) -> dict[uuid.UUID, Attendee]:
    """The people named (those the user may see), whether each is enrolled in the programme and
    (given a household) a current member of it, in one query whatever their number."""
    qs = Person.objects.filter(owned_scope(user), pk__in=person_ids, merged_into__isnull=True)
    member = Membership.objects.filter(
        person=OuterRef("pk"), household=household_id, ended_on__isnull=True
    )
    rows = qs.annotate(
        enrolled=ExpressionWrapper(enrolled_q(programme_id), output_field=BooleanField()),
        in_household=Exists(member),
    ).values("pk", "given_name", "family_name", "enrolled", "in_household")
    return {
        row["pk"]: Attendee(
            pk=row["pk"],
            name=f"{row['given_name']} {row['family_name']}",
            enrolled=bool(row["enrolled"]),
            in_household=bool(row["in_household"]),
        )
        for row in rows
    }


def attendee_candidates(
    *, user: Any, programme_ids: list[Any], q: str = "", mahalla: Any = None, limit: int = 300
) -> list[Person]:
    """People the user may see who are enrolled in one of these programmes: whom a group session's
    attendance list offers to tick (by family name; by name or mahalla if asked), at most `limit`."""
    if not programme_ids:
        return []
    enrolled = Q()
    for pid in programme_ids:
        enrolled |= enrolled_q(pid)
    qs = Person.objects.filter(owned_scope(user), enrolled, merged_into__isnull=True)
    for word in q.split():
        qs = qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    if mahalla:
        living_there = Membership.objects.filter(ended_on__isnull=True, household__mahalla=mahalla)
        qs = qs.filter(pk__in=living_there.values("person_id"))
    return list(qs.order_by("family_name", "given_name", "id")[:limit])


def attendee_mahallas(*, user: Any) -> QuerySet[Mahalla]:
    """The mahallas of the households the user may see (to narrow an attendance list)."""
    households = Household.objects.filter(owned_scope(user), mahalla__isnull=False)
    return Mahalla.objects.filter(pk__in=households.values("mahalla_id")).order_by("name_uz")


def household_adults(*, household: Household) -> list[Person]:
    """The current adult members of a household (or caregivers whose date of birth is unknown)."""
    on = today()
    members = Membership.objects.filter(household=household, ended_on__isnull=True)
    adults = []
    for m in members.select_related("person").order_by("started_on", "person__given_name"):
        person = m.person
        age = age_on(person.birth_date, on)
        if (age is not None and age >= ADULT_AGE) or (
            age is None and m.relationship in CAREGIVER_RELATIONSHIPS
        ):
            adults.append(person)
    return adults


def current_sharing_consent(
    *, person: Person | None = None, household: Household | None = None
) -> Consent | None:
    """The latest current consent to share information that allows a referral: the person's own, or
    for a household, one of its adult members'."""
    holders = [person] if person is not None else []
    if household is not None:
        holders = household_adults(household=household)
    if not holders:
        return None
    return (
        Consent.objects.filter(
            person__in=holders,
            purpose=Consent.Purpose.INFORMATION_SHARING,
            withdrawn_on__isnull=True,
            given_on__lte=today(),
        )
        .select_related("person")
        .order_by("-given_on", "-created_at")
        .first()
    )


def case_consents(*, case: Case) -> list[Consent]:
    """Current consents to share information of the case's people (the referral form's hint)."""
    people = [p.pk for p in case_children(case=case)]
    return list(
        Consent.objects.filter(
            person__in=people,
            purpose=Consent.Purpose.INFORMATION_SHARING,
            withdrawn_on__isnull=True,
            given_on__lte=today(),
        )
        .select_related("person")
        .order_by("person__given_name", "-given_on")
    )


def open_plan_actions(*, case: Case) -> QuerySet[Action]:
    """Open actions of the case's plan (the approved version, or a draft) that a service or a
    referral can fulfil."""
    return (
        Action.objects.filter(
            goal__plan__case=case,
            goal__plan__status__in=[Plan.Status.DRAFT, Plan.Status.APPROVED],
            status__in=Action.OPEN_STATUSES,
        )
        .select_related("goal", "goal__plan", "responsible_organisation", "responsible_user")
        .order_by("goal__plan__version", "due_on", "created_at")
    )


# ---------------------------------------------------------------------------------------------------
# Deliveries


@dataclass(frozen=True)
class DeliveryFilters:
    service_type: Any = None
    kind: str = ""
    case: Any = None
    since: dt.date | None = None
    until: dt.date | None = None


def delivery_list(
    *, user: Any, filters: DeliveryFilters | None = None
) -> QuerySet[ServiceDelivery]:
    """Deliveries the user may see, newest first, with how many attended."""
    qs = delivery_filter(ServiceDelivery.objects.filter(delivery_scope(user)), filters)
    return (
        qs.select_related(
            "service_type", "case", "provider_user", "provider_organisation", "recorded_by"
        )
        .annotate(present=Count("attendances", filter=Q(attendances__attended=True)))
        .order_by("-delivered_on", "-created_at", "id")
    )


def delivery_filter(
    qs: QuerySet[ServiceDelivery], filters: DeliveryFilters | None = None
) -> QuerySet[ServiceDelivery]:
    """The list's filters on deliveries already limited to a scope (delivery_list; exports)."""
    f = filters or DeliveryFilters()
    if f.service_type:
        qs = qs.filter(service_type=f.service_type)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.case:
        qs = qs.filter(case=f.case)
    if f.since:
        qs = qs.filter(delivered_on__gte=f.since)
    if f.until:
        qs = qs.filter(delivered_on__lte=f.until)
    return qs


def delivery_get(*, user: Any, delivery_id: Any, audit_read: bool = True) -> ServiceDelivery:
    """One delivery with its attendance list; 404 when out of scope. The read is audited."""
    delivery = (
        ServiceDelivery.objects.filter(delivery_scope(user))
        .select_related(
            "service_type",
            "case",
            "case__household",
            "case__subject",
            "provider_user",
            "provider_organisation",
            "recorded_by",
            "plan_action",
        )
        .prefetch_related("attendances__person")
        .filter(pk=uuid_or_404(delivery_id))
        .first()
    )
    if delivery is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=delivery, action="delivery.view")
    return delivery


# ---------------------------------------------------------------------------------------------------
# Referrals: the programme's side


def overdue_q(on: dt.date) -> Q:
    """Referrals sent and not answered by the day the answer was due."""
    return Q(status=Referral.Status.SENT, response_due_on__lt=on)


@dataclass(frozen=True)
class ReferralFilters:
    status: str = ""
    overdue: bool = False
    case: Any = None
    open_only: bool = False


def _staff_referrals(user: Any) -> QuerySet[Referral]:
    if not works_with_cases(user):
        return Referral.objects.none()
    return Referral.objects.filter(referral_scope(user))


def referral_list(*, user: Any, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    """Referrals of the cases the user may see (the programme's side), overdue first."""
    return (
        referral_filter(_staff_referrals(user), filters)
        .select_related(
            "service_type", "case", "person", "household", "to_organisation", "referred_by"
        )
        .order_by("-created_at", "id")
    )


def referral_filter(
    qs: QuerySet[Referral], filters: ReferralFilters | None = None
) -> QuerySet[Referral]:
    """The list's filters on referrals already limited to a scope (referral_list; exports)."""
    f = filters or ReferralFilters()
    if f.status:
        qs = qs.filter(status=f.status)
    elif f.open_only:
        qs = qs.filter(status__in=Referral.OPEN_STATUSES)
    if f.overdue:
        qs = qs.filter(overdue_q(today()))
    if f.case:
        qs = qs.filter(case=f.case)
    return qs


def referral_get(*, user: Any, referral_id: Any, audit_read: bool = True) -> Referral:
    """One referral of a case the user may see, with everything; 404 otherwise. Audited."""
    referral = (
        _staff_referrals(user)
        .select_related(
            "service_type",
            "case",
            "case__household",
            "case__subject",
            "person",
            "household",
            "from_organisation",
            "to_organisation",
            "consent",
            "consent__person",
            "override_by",
            "plan_action",
            "referred_by",
            "responded_by",
            "reported_by",
            "programme",
        )
        .filter(pk=uuid_or_404(referral_id))
        .first()
    )
    if referral is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=referral, action="referral.view")
    return referral


@dataclass(frozen=True)
class CaseSupport:
    case: Case
    deliveries: list[ServiceDelivery]
    referrals: list[Referral]


def case_support(*, user: Any, case_id: Any) -> CaseSupport:
    """A case's services (on the case, or group sessions its people attended) and its referrals."""
    case = case_get(user=user, case_id=case_id, audit_read=False)
    people = case_children(case=case).values("pk")
    attended = DeliveryAttendance.objects.filter(person__in=people, attended=True)
    deliveries = (
        delivery_list(user=user)
        .filter(Q(case=case) | Q(pk__in=attended.values("delivery_id")))
        .order_by("-delivered_on", "-created_at")
    )
    referrals = referral_list(user=user, filters=ReferralFilters(case=case))
    audit.record_read(actor=user, target=case, action="case.support.view")
    return CaseSupport(case=case, deliveries=list(deliveries), referrals=list(referrals))


# ---------------------------------------------------------------------------------------------------
# Referrals: the partner's side (minimum necessary fields only)


@dataclass(frozen=True)
class SharedReferral:
    """What a partner agency sees of a referral: its own answers and the shared fields, no more."""

    id: uuid.UUID
    status: str
    status_label: str
    sent_at: dt.datetime
    response_due_on: dt.date
    is_overdue: bool
    from_organisation: str
    referred_by: str
    is_household: bool
    responded_at: dt.datetime | None
    decline_reason: str
    reported_at: dt.datetime | None
    feedback: str
    shared: dict[str, Any] = field(default_factory=dict)
    rows: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        names = [self.shared.get("given_name"), self.shared.get("family_name")]
        return " ".join(str(n) for n in names if n) or str(_("Referral"))


def shared_field_names(programme: Programme) -> list[str]:
    """The fields a programme shares with partner agencies (unknown names are ignored)."""
    configured = set(programme.setting("referral_shared_fields") or [])
    return [name for name in SHAREABLE_FIELDS if name in configured]


def _values(referral: Referral) -> dict[str, Any]:
    """Every shareable value of a referral, as codes (the API) — filtered by the caller."""
    household = referral.case.household
    person = referral.person
    values: dict[str, Any] = {
        "district": household.district.name if household.district_id else None,
        "mahalla": household.mahalla.name if household.mahalla_id and household.mahalla else None,
        "address": household.address or None,
        "service": referral.service_type.name,
        "urgency": referral.urgency,
        "reason": referral.reason,
    }
    if person is not None:
        values.update(
            {
                "given_name": person.given_name,
                "family_name": person.family_name,
                "patronymic": person.patronymic or None,
                "sex": person.sex,
                "age": age_on(person.birth_date, today()),
                "birth_date": person.birth_date,
                "phone": person.phone or household.phone or None,
            }
        )
    else:
        values.update({"family_name": household.name, "phone": household.phone or None})
    return values


def _label(name: str, value: Any, referral: Referral) -> Any:
    if name == "sex" and referral.person is not None:
        return referral.person.get_sex_display()
    if name == "urgency":
        return referral.get_urgency_display()
    return value


def shared_referral(*, referral: Referral) -> SharedReferral:
    """A referral as its agency may see it: only the programme's shared fields (never the PINFL,
    notes, the case or other members). The referral must come with the relations that
    `_partner_referrals` selects."""
    names = shared_field_names(referral.programme)
    values = _values(referral)
    shared = {name: values[name] for name in names if values.get(name) not in (None, "")}
    rows = [(str(SHAREABLE_FIELDS[n]), _label(n, shared[n], referral)) for n in shared]
    return SharedReferral(
        id=referral.pk,
        status=referral.status,
        status_label=str(referral.get_status_display()),
        sent_at=referral.created_at,
        response_due_on=referral.response_due_on,
        is_overdue=referral.is_overdue,
        from_organisation=referral.from_organisation.name,
        referred_by=referral.referred_by.display_name,
        is_household=referral.person_id is None,
        responded_at=referral.responded_at,
        decline_reason=referral.decline_reason,
        reported_at=referral.reported_at,
        feedback=referral.feedback,
        shared=shared,
        rows=rows,
    )


def _partner_referrals(user: Any) -> QuerySet[Referral]:
    if not is_partner(user):
        return Referral.objects.none()
    return Referral.objects.filter(referral_scope(user)).select_related(
        "programme",
        "service_type",
        "person",
        "case__household__district",
        "case__household__mahalla",
        "from_organisation",
        "referred_by",
    )


def partner_referral_list(
    *, user: Any, status: str = "", overdue: bool = False
) -> list[SharedReferral]:
    """The referrals addressed to the partner's agency (shared fields only), new ones first, in one
    query; the read is audited once per request (what left the programme, to whom)."""
    qs = _partner_referrals(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q(today()))
    referrals = [shared_referral(referral=r) for r in qs.order_by("-created_at", "id")]
    if is_partner(user):
        audit.record(
            actor=user,
            action="referral.partner_list",
            after={"referrals": [str(r.id) for r in referrals]},
            kind="read",
        )
    return referrals


def partner_referral_get(*, user: Any, referral_id: Any) -> Referral:
    """A referral addressed to the partner's agency, for the services that answer it (never for a
    page or an API answer: see partner_referral_detail); 404 otherwise."""
    referral = _partner_referrals(user).filter(pk=uuid_or_404(referral_id)).first()
    if referral is None:
        raise Http404
    return referral


def partner_referral_detail(
    *, user: Any, referral_id: Any, audit_read: bool = True
) -> SharedReferral:
    """What the partner sees of one referral addressed to its agency; 404 otherwise. Audited."""
    referral = partner_referral_get(user=user, referral_id=referral_id)
    if audit_read:
        audit.record_read(actor=user, target=referral, action="referral.partner_view")
    return shared_referral(referral=referral)


@dataclass(frozen=True)
class PartnerSummary:
    new: int
    accepted: int
    overdue: int


def partner_summary(*, user: Any) -> PartnerSummary:
    """Counts for a partner's home page: new (not answered), accepted (to report on), overdue."""
    if not is_partner(user):
        return PartnerSummary(0, 0, 0)
    counts = Referral.objects.filter(referral_scope(user)).aggregate(
        new=Count("pk", filter=Q(status=Referral.Status.SENT)),
        accepted=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
        overdue=Count("pk", filter=overdue_q(today())),
    )
    return PartnerSummary(counts["new"], counts["accepted"], counts["overdue"])


def partner_focal_points(*, organisation: Organisation) -> list[User]:
    """The active partner focal points of an agency (who are told of a new referral)."""
    return list(
        User.objects.filter(organisation=organisation, role=Role.PARTNER, is_active=True).order_by(
            "username"
        )
    )
