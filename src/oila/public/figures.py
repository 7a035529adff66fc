"""The published sentences of the public page, with small cells suppressed (DOMAIN.md §1, §6).

A count below the threshold k is shown as "fewer than k" (and takes the plural form of k). A girls'
figure is left out of its sentence when the boys' figure (the total minus the girls) would be a
small cell, since it could be worked out from the two that are shown.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oila.public.selectors import GroupCount, PublicData
from oila.registry.models import Enrolment


def shown(count: int, k: int) -> tuple[str, int]:
    """The text of a count as published, and the number its plural form follows."""
    if count < k:
        return _("fewer than %(k)s") % {"k": k}, k
    return str(count), count


def _girls(group: GroupCount, k: int) -> str | None:
    """ "13 girls" (or "fewer than 5 girls"); None when it would reveal a small number of boys."""
    boys = group.total - group.girls
    if group.total < k or 0 < boys < k:
        return None
    text, n = shown(group.girls, k)
    return ngettext("%(n)s girl", "%(n)s girls", n) % {"n": text}


def _families(count: int, k: int) -> str:
    text, n = shown(count, k)
    return ngettext("%(n)s vulnerable family", "%(n)s vulnerable families", n) % {"n": text}


def beneficiary_line(group: GroupCount, *, families: int, k: int) -> str:
    """One published sentence, e.g. "29 children (including 13 girls) in SOS families"."""
    count, n = shown(group.total, k)
    girls = _girls(group, k)
    params = {"count": count, "girls": girls, "families": _families(families, k)}
    if group.group == Enrolment.Group.SOS_CHILD:
        if girls is None:
            return (
                ngettext("%(count)s child in SOS families", "%(count)s children in SOS families", n)
                % params
            )
        return (
            ngettext(
                "%(count)s child (including %(girls)s) in SOS families",
                "%(count)s children (including %(girls)s) in SOS families",
                n,
            )
            % params
        )
    if group.group == Enrolment.Group.VULNERABLE_CHILD:
        if girls is None:
            return (
                ngettext(
                    "%(count)s child from %(families)s", "%(count)s children from %(families)s", n
                )
                % params
            )
        return (
            ngettext(
                "%(count)s child (including %(girls)s) from %(families)s",
                "%(count)s children (including %(girls)s) from %(families)s",
                n,
            )
            % params
        )
    if group.group == Enrolment.Group.YOUTH:
        if girls is None:
            return (
                ngettext(
                    "%(count)s young person looking for work",
                    "%(count)s young people looking for work",
                    n,
                )
                % params
            )
        return (
            ngettext(
                "%(count)s young person (including %(girls)s) looking for work",
                "%(count)s young people (including %(girls)s) looking for work",
                n,
            )
            % params
        )
    return (
        ngettext(
            "%(count)s child protection specialist", "%(count)s child protection specialists", n
        )
        % params
    )


def beneficiary_lines(data: PublicData) -> list[str]:
    """The published sentences, one per beneficiary group that has anyone enrolled."""
    return [beneficiary_line(g, families=data.families, k=data.threshold) for g in data.groups]


def indicator_value(value: float | None, *, unit: str, k: int) -> str:
    """An indicator's figure as published: counts suppressed below k; "no data" when unknown."""
    if value is None:
        return _("no data")
    if unit == "percentage":
        return _("%(value)s %%") % {"value": f"{value:.0f}"}
    number = round(value)
    if number < k:
        return _("fewer than %(k)s") % {"k": k}
    return str(number)


def indicator_rows(data: PublicData) -> list[dict[str, object]]:
    """Each outcome with its indicators' published figures and progress (0–100, or None)."""
    k = data.threshold
    outcomes = []
    for outcome in data.outcomes:
        rows = []
        for ind in outcome.indicators:
            hidden = ind.unit != "percentage" and ind.actual is not None and ind.actual < k
            progress = None if hidden or ind.progress is None else round(ind.progress * 100)
            rows.append(
                {
                    "name": ind.name,
                    "actual": indicator_value(ind.actual, unit=ind.unit, k=k),
                    "target": None
                    if ind.target is None
                    else indicator_value(ind.target, unit=ind.unit, k=0),
                    "progress": progress,
                }
            )
        outcomes.append({"title": outcome.title, "indicators": rows})
    return outcomes
