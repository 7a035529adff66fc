"""Services and referrals for tests, made through the services."""

from __future__ import annotations

from typing import Any

from oila.accounts.models import Organisation, Programme
from oila.common.dates import today
from oila.support import services
from oila.support.models import Referral, ServiceDelivery, ServiceType


def catalogue(programme: Programme) -> dict[str, ServiceType]:
    """The shipped catalogue for the programme (tests create programmes after the migrations)."""
    services.service_catalogue_seed(programme=programme)
    return {st.code: st for st in ServiceType.objects.filter(programme=programme)}


def offer(admin: Any, organisation: Organisation, *types: ServiceType) -> None:
    current = list(ServiceType.objects.filter(offered_by__organisation=organisation))
    services.organisation_services_set(
        actor=admin, organisation=organisation, service_types=[*current, *types]
    )


def refer(
    actor: Any, case: Any, service_type: ServiceType, to: Organisation, **kwargs: Any
) -> Referral:
    if "household" not in kwargs:
        kwargs.setdefault("person", case.subject)
    kwargs.setdefault("reason", "Falling behind at school since her father left.")
    return services.referral_create(
        actor=actor, case=case, service_type=service_type, to_organisation=to, **kwargs
    )


def individual(
    actor: Any, service_type: ServiceType, person: Any, **kwargs: Any
) -> ServiceDelivery:
    kwargs.setdefault("delivered_on", today())
    kwargs.setdefault("duration_minutes", 45)
    if "provider_organisation" not in kwargs:
        kwargs.setdefault("provider_user", actor)
    return services.delivery_record(
        actor=actor, service_type=service_type, kind="individual", attended=[person], **kwargs
    )
