"""Who sees which deliveries and referrals, and who may do what with them.

- A delivery on a case is seen by whoever sees the case (registry.visibility's owner-field rule on the
  case, so a reassigned case takes its deliveries along); a delivery on no case (a group session) by
  the same rule applied to its own owner fields.
- A referral is seen by the case roles that see its case, and by the partner focal points of the
  agency it is addressed to, who see only the fields the programme shares (selectors.shared_referral).
  Nobody else sees any.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from oila.accounts.models import Role
from oila.accounts.rules import is_manager, is_partner, is_supervisor, works_with_cases
from oila.cases.models import Case
from oila.registry.visibility import NOTHING, owned_scope

# Sending a referral without a recorded consent to share information (audited, with a reason).
can_override_consent = is_supervisor | is_manager


def visible_cases_q(user: Any) -> Q:
    """Rows whose case the user may see."""
    return Q(case__in=Case.objects.filter(owned_scope(user)).values("pk"))


def delivery_scope(user: Any) -> Q:
    """The one visibility rule for service deliveries."""
    if not works_with_cases(user):
        return NOTHING
    return (Q(case__isnull=False) & visible_cases_q(user)) | (
        Q(case__isnull=True) & owned_scope(user)
    )


def referral_scope(user: Any) -> Q:
    """The one visibility rule for referrals (what each role is shown of them: see the selectors)."""
    if is_partner(user):
        return Q(to_organisation=user.organisation_id) if user.organisation_id else NOTHING
    if works_with_cases(user):
        return visible_cases_q(user)
    return NOTHING


def is_partner_of(user: Any, organisation_id: Any) -> bool:
    """A partner focal point of this agency."""
    return bool(
        is_partner(user) and user.organisation_id and user.organisation_id == organisation_id
    )


def may_record(user: Any) -> bool:
    """Recording services and making referrals: the roles that work with cases."""
    return bool(works_with_cases(user))


__all__ = [
    "Role",
    "can_override_consent",
    "delivery_scope",
    "is_partner_of",
    "may_record",
    "referral_scope",
]
