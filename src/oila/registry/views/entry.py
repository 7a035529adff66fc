"""The duplicate check at entry on the registry's pages (ADR 0008).

After a member or person form validates, `check_form` asks registry.matching for people who may be
the same; when there are some and the user has not chosen yet, the page is shown again with a
"possible matches" panel (registry/_entry_candidates.html) in the form. The user picks one of them
("this is the same person") or confirms a new person; the services audit the choice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oila.registry.matching import Candidate, EntryDecision, person_candidates
from oila.registry.views.base import AuthedRequest

# What a form's identity is made of: a change to one of these on an edit triggers the check.
IDENTITY_FIELDS = {"given_name", "family_name", "patronymic", "sex", "birth_date", "pinfl"}
NEW = "new"


def check_form(
    request: AuthedRequest,
    form: forms.BaseForm,
    *,
    district: Any = None,
    exclude: Any = None,
    mode: str = "link",
) -> bool:
    """Look for duplicates of a validated form's person; True when the user must still choose.

    `mode` is what choosing a candidate means: "link" (adding a member: the existing person joins)
    or "same" (editing: report the two as one person). The decision is left on the form as
    `entry_decision` for its `service_data`; the candidates as `entry_candidates` for the page.
    """
    data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
    candidates = person_candidates(user=request.user, data=data, district=district, exclude=exclude)
    form.entry_candidates = candidates  # type: ignore[attr-defined]
    form.entry_visible = [c for c in candidates if c.visible]  # type: ignore[attr-defined]
    form.entry_hidden = len(candidates) - len(form.entry_visible)  # type: ignore[attr-defined]
    form.entry_mode = mode  # type: ignore[attr-defined]
    form.entry_field = form.add_prefix("entry_choice")  # type: ignore[attr-defined]
    form.entry_decision = None  # type: ignore[attr-defined]
    if not candidates:
        return False
    posted = request.POST.get(form.add_prefix("entry_choice"), "")
    decision = _decision(posted, candidates, mode)
    if decision is None:
        if posted:
            form.entry_error = _("Choose one of the people below, or confirm a new person.")  # type: ignore[attr-defined]
        return True
    form.entry_decision = decision  # type: ignore[attr-defined]
    return False


def _decision(posted: str, candidates: list[Candidate], mode: str) -> EntryDecision | None:
    if posted == NEW:
        return EntryDecision("new", tuple(candidates))
    prefix = f"{mode}:"
    if posted.startswith(prefix):
        # Only a candidate the user may see can be chosen: never an id typed into the form.
        chosen = next(
            (c for c in candidates if c.visible and str(c.person_id) == posted[len(prefix) :]),
            None,
        )
        if chosen is not None:
            return EntryDecision(mode, tuple(candidates), person=chosen.person)
    return None


def identity_changed(form: forms.BaseForm) -> bool:
    """Whether an edit form changes what identifies the person (an edit of a phone number does not
    ask about duplicates again)."""
    return bool(IDENTITY_FIELDS & set(form.changed_data))
