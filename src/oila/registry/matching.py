"""Likely duplicates of a person at entry: who in the registry this new or edited person may already be.

A read of the registry, so it lives here and not in oila.dedup (which sits above the registry, ADR
0008). The registration pages, the person edit page, the REST API and the importer all call
`person_candidates` before saving; the whole-registry scan and merging are oila.dedup's.

Finding is by the blocking keys each person carries (kept current by registry.services through
`blocking_keys`): the same PINFL; the same folded name in either order (any script, any spelling of
DOMAIN.md §5); the same consonant skeleton; or the same given name or surname born within a year.
Scoring is rapidfuzz on the folded names, with the date of birth, sex, district and father's name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, UUIDField, Value, When
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import JaroWinkler

from oila.common.crypto import keyed_hash
from oila.common.dates import today
from oila.common.names import name_keys, split_surname
from oila.common.script import detect_script
from oila.geo.models import District
from oila.registry.models import Membership, Person
from oila.registry.visibility import owned_scope

BLOCKING_KEY_FIELDS = ["fold_given", "fold_family", "fold_patronymic", "name_key", "sound_key"]

# A candidate is shown from this score on (0–1); at most this many are looked at and shown.
MIN_SCORE = 0.7
# Birth dates further apart than this make _birth_score 0.3: a name alone then scores at most
# 0.3 + 0.05 + 0.05 < MIN_SCORE, so such rows are candidates only by the same PINFL, and the
# name keys' conditions leave them out (a father and son of one name, born 30 years apart).
FAR_APART = dt.timedelta(days=2 * 366)
MAX_ROWS = 400
MAX_SHOWN = 5

REASONS: dict[str, Any] = {
    "same_pinfl": _("same PINFL"),
    "name_cross_script": _("name matches across scripts"),
    "name_other_spelling": _("same name, another spelling"),
    "name_same": _("same name"),
    "name_swapped": _("same name, given name and surname swapped"),
    "name_similar": _("similar name"),
    "dob_same": _("same date of birth"),
    "dob_swapped": _("day and month of birth swapped"),
    "dob_within_year": _("born within a year"),
    "dob_missing": _("date of birth not known"),
    "same_district": _("same district"),
    "same_father": _("same father's name"),
    # Reasons of the whole-registry scan (oila.dedup) and of reports at entry.
    "same_mother": _("same mother's name"),
    "reported_same": _("reported as the same person when the record was edited"),
}


def blocking_keys(person: Person) -> dict[str, str]:
    """The blocking-key fields of a person, from its names (what registry.services stores)."""
    keys = name_keys(person.given_name or "", person.family_name or "", person.patronymic or "")
    return {
        "fold_given": keys.given[:100],
        "fold_family": keys.family[:100],
        "fold_patronymic": keys.patronymic[:100],
        "name_key": keys.name_key[:201],
        "sound_key": keys.sound_key[:201],
    }


@dataclass(frozen=True)
class Candidate:
    """A person already in the registry who may be the one being entered.

    `visible` says whether the user may see them: when not, nothing but the fact that a match exists
    may be shown (no name, no id), and `person` is None.
    """

    person_id: uuid.UUID
    visible: bool
    score: float
    reasons: tuple[str, ...]
    person: Person | None = None
    district: District | None = None

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


ENTRY_CHOICE_ACTION = "dedup.entry_choice"
ENTRY_CHOICES = ("new", "link", "same")


@dataclass(frozen=True)
class EntryDecision:
    """What the user chose when the check at entry offered candidates (audited by the services).

    "new": a different person, save as entered. "link": the existing `person` (when adding a household
    member, they join the household instead of a new record). "same": when editing, the edited person
    and `person` are one, reported for a supervisor to merge.
    """

    choice: str
    candidates: tuple[Candidate, ...] = ()
    person: Person | None = None

    def __post_init__(self) -> None:
        if self.choice not in ENTRY_CHOICES:
            raise ValueError(f"Unknown entry choice {self.choice!r}.")


@dataclass
class Probe:
    """What was typed, folded once for comparing with every row found."""

    given: str
    family: str
    given_as_family: str
    patronymic: str
    name_key: str
    sound_key: str
    script: str
    sex: str
    birth_date: dt.date | None
    birth_estimated: bool
    pinfl_hash: str
    district_id: Any
    raw: str = ""


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _probe(data: dict[str, Any], district: Any) -> Probe:
    given, family = data.get("given_name") or "", data.get("family_name") or ""
    patronymic = data.get("patronymic") or ""
    keys = name_keys(given, family, patronymic)
    birth = _as_date(data.get("birth_date"))
    estimated = bool(data.get("birth_date_estimated"))
    if birth is None and data.get("estimated_age") not in (None, ""):
        try:
            birth, estimated = dt.date(today().year - int(data["estimated_age"]), 7, 1), True
        except (TypeError, ValueError):
            birth = None
    pinfl = str(data.get("pinfl") or "").strip()
    return Probe(
        given=keys.given,
        family=keys.family,
        given_as_family=split_surname(given).stem,
        patronymic=keys.patronymic,
        name_key=keys.name_key,
        sound_key=keys.sound_key,
        script=detect_script(f"{given} {family} {patronymic}"),
        sex=data.get("sex") or "",
        birth_date=birth,
        birth_estimated=estimated,
        pinfl_hash=keyed_hash(pinfl) if pinfl else "",
        district_id=getattr(district, "pk", district),
    )


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return float(JaroWinkler.normalized_similarity(a, b))


def _name_score(probe: Probe, row: Person) -> tuple[float, str]:
    straight = (_similar(probe.given, row.fold_given) + _similar(probe.family, row.fold_family)) / 2
    swapped = (
        _similar(probe.given_as_family, row.fold_family)
        + _similar(probe.family, split_surname(row.fold_given).stem)
    ) / 2
    if probe.name_key and probe.name_key == row.name_key:
        if straight < 1.0:
            return 1.0, "name_swapped"
        if probe.script and row.name_script and probe.script != row.name_script:
            return 1.0, "name_cross_script"
        raw_same = " ".join(f"{row.given_name} {row.family_name}".lower().split()) == probe.raw
        return 1.0, ("name_same" if raw_same else "name_other_spelling")
    score = max(straight, swapped)
    if probe.sound_key and probe.sound_key == row.sound_key:
        score = max(score, 0.9)
    return score, "name_similar"


def _birth_score(probe: Probe, row: Person) -> tuple[float, str]:
    a, b = probe.birth_date, row.birth_date
    if a is None or b is None:
        return 0.8, "dob_missing"
    if a == b:
        return 1.0, "dob_same"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return 0.95, "dob_swapped"
    slack = 2 * 366 if (probe.birth_estimated or row.birth_date_estimated) else 366
    if abs((a - b).days) <= slack:
        return 0.85, "dob_within_year"
    return 0.3, ""


def score_candidate(probe: Probe, row: Any) -> tuple[float, tuple[str, ...]]:
    """How likely `row` (a Person with the key fields and `district_id`) is the probed person, 0–1,
    with the reasons a user is shown."""
    reasons: list[str] = []
    if probe.pinfl_hash and row.pinfl_hash == probe.pinfl_hash:
        reasons.append("same_pinfl")
    name, name_reason = _name_score(probe, row)
    if name >= 0.85:
        reasons.append(name_reason)
    birth, birth_reason = _birth_score(probe, row)
    if birth_reason and birth_reason != "dob_missing":
        reasons.append(birth_reason)
    score = name * birth
    if probe.sex and row.sex and probe.sex != row.sex:
        score *= 0.5
    if probe.district_id and getattr(row, "district_id", None):
        if probe.district_id == row.district_id:
            score += 0.05
            reasons.append("same_district")
        else:
            score -= 0.05
    if probe.patronymic and row.fold_patronymic:
        if _similar(probe.patronymic, row.fold_patronymic) >= 0.9:
            score += 0.05
            reasons.append("same_father")
        else:
            score -= 0.1
    if probe.pinfl_hash and row.pinfl_hash:
        # A PINFL names one person: equal settles it, different (both known) almost rules it out.
        score = 1.0 if row.pinfl_hash == probe.pinfl_hash else score * 0.3
    return max(0.0, min(1.0, score)), tuple(reasons)


def _ids(exclude: Any) -> list[Any]:
    if exclude is None:
        return []
    items: Iterable[Any] = exclude if isinstance(exclude, list | tuple | set) else [exclude]
    return [getattr(item, "pk", item) for item in items]


def _current_district(person_ids: list[Any]) -> Any:
    membership = (
        Membership.objects.filter(person__in=person_ids, ended_on__isnull=True)
        .order_by("-started_on")
        .values_list("household__district", flat=True)
        .first()
    )
    return membership


def person_candidates(
    *,
    user: Any,
    data: dict[str, Any],
    exclude: Any = None,
    district: Any = None,
    min_score: float = MIN_SCORE,
) -> list[Candidate]:
    """People already registered who may be the person in `data` (person fields as the services take
    them), best first. Visible ones carry the person; others only say that a match exists.

    `district` is the household's (a District or its id); when editing, pass the person as `exclude`
    and the district of their current household is used.
    """
    excluded = _ids(exclude)
    if district is None and excluded:
        district = _current_district(excluded)
    probe = _probe(data, district)
    probe.raw = " ".join(
        f"{data.get('given_name') or ''} {data.get('family_name') or ''}".lower().split()
    )
    if not (probe.given or probe.family) and not probe.pinfl_hash:
        return []
    rows = _rows(user, _found(probe), excluded)
    return _ranked(probe, rows, min_score)


def _found(probe: Probe) -> Q:
    """The blocking keys' condition for one probe (see the module's docstring)."""
    near = Q() if probe.birth_date is None else _near_in_time(probe.birth_date, probe.birth_date)
    found = Q(name_key=probe.name_key) & near if probe.name_key else Q(pk__in=[])
    if probe.sound_key:
        found |= Q(sound_key=probe.sound_key) & near
    if probe.pinfl_hash:
        found |= Q(pinfl_hash=probe.pinfl_hash)
    if probe.birth_date is not None:
        slack = dt.timedelta(days=2 * 366 if probe.birth_estimated else 366)
        around = (probe.birth_date - slack, probe.birth_date + slack)
        if probe.given:
            found |= Q(fold_given=probe.given, birth_date__range=around)
        if probe.family:
            found |= Q(fold_family=probe.family, birth_date__range=around)
    return found


def _near_in_time(first: dt.date, last: dt.date) -> Q:
    """Rows without a birth date, or born at most FAR_APART from a date between first and last."""
    return Q(birth_date__isnull=True) | Q(birth_date__range=(first - FAR_APART, last + FAR_APART))


def _blocked(probe: Probe, row: Any) -> bool:
    """Whether a row meets the probe's condition (_found), for rows fetched for several probes."""
    near = (
        probe.birth_date is None
        or row.birth_date is None
        or abs(row.birth_date - probe.birth_date) <= FAR_APART
    )
    if near and probe.name_key and row.name_key == probe.name_key:
        return True
    if near and probe.sound_key and row.sound_key == probe.sound_key:
        return True
    if probe.pinfl_hash and row.pinfl_hash == probe.pinfl_hash:
        return True
    if probe.birth_date is not None and row.birth_date is not None:
        slack = 2 * 366 if probe.birth_estimated else 366
        if abs((row.birth_date - probe.birth_date).days) <= slack:
            return bool(
                (probe.given and row.fold_given == probe.given)
                or (probe.family and row.fold_family == probe.family)
            )
    return False


def _rows(user: Any, found: Q, excluded: list[Any], limit: int | None = MAX_ROWS) -> list[Person]:
    district_of = Membership.objects.filter(person=OuterRef("pk"), ended_on__isnull=True).order_by(
        "-started_on"
    )
    qs = (
        Person.objects.filter(found, merged_into__isnull=True)
        .exclude(pk__in=excluded)
        .only(
            "id",
            "given_name",
            "family_name",
            "patronymic",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "name_script",
            "pinfl_hash",
            *BLOCKING_KEY_FIELDS,
        )
        .annotate(
            district_id=Subquery(
                district_of.values("household__district")[:1], output_field=UUIDField()
            ),
            visible=Case(
                When(owned_scope(user), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    return list(qs[:limit] if limit is not None else qs)


def _ranked(
    probe: Probe, rows: list[Person], min_score: float, districts: dict[Any, District] | None = None
) -> list[Candidate]:
    scored = []
    for row in rows:
        score, reasons = score_candidate(probe, row)
        if score >= min_score:
            scored.append((score, row, reasons))
    scored.sort(key=lambda item: (-item[0], str(item[1].pk)))
    if districts is None:
        districts = District.objects.in_bulk(
            {row.district_id for _, row, _ in scored if row.visible}  # type: ignore[attr-defined]
        )
    out = []
    for score, row, reasons in scored[:MAX_SHOWN]:
        visible = bool(row.visible)  # type: ignore[attr-defined]
        district_id = row.district_id  # type: ignore[attr-defined]
        out.append(
            Candidate(
                person_id=row.pk,
                visible=visible,
                score=round(score, 3),
                reasons=reasons,
                person=row if visible else None,
                district=districts.get(district_id) if visible else None,
            )
        )
    return out


MANY_CHUNK = 100


def person_candidates_many(
    *,
    user: Any,
    items: list[tuple[dict[str, Any], Any]],
    min_score: float = MIN_SCORE,
) -> list[list[Candidate]]:
    """person_candidates for many new people at once (bulk imports): for each (data, district), the
    same candidates with the same scores, found with one query per hundred people."""
    probes = []
    for data, district in items:
        probe = _probe(data, district)
        probe.raw = " ".join(
            f"{data.get('given_name') or ''} {data.get('family_name') or ''}".lower().split()
        )
        probes.append(probe)
    districts = {d.pk: d for d in District.objects.all()}  # a region's few dozen
    out: list[list[Candidate]] = [[] for _ in probes]
    # Chunks of people born close together, so that "same given name or surname, born within a
    # year" asks for a narrow range of dates; each chunk's rows are then sorted to their probes.
    live = [i for i, p in enumerate(probes) if p.given or p.family or p.pinfl_hash]
    live.sort(key=lambda i: (probes[i].birth_date or dt.date.min, i))
    for start in range(0, len(live), MANY_CHUNK):
        chunk = [probes[i] for i in live[start : start + MANY_CHUNK]]
        # The blocking keys of every row the chunk's condition finds first (plain tuples); the
        # whole rows, with their visibility and district, only for those a probe keeps.
        rows = [
            _Keys(*values)
            for values in Person.objects.filter(
                _found_any(chunk), merged_into__isnull=True
            ).values_list(*_Keys._fields)
        ]
        # Each probe looks only at the rows sharing one of its keys (every row _blocked accepts
        # does), in the query's order, rather than at every row the chunk fetched.
        keyed: dict[tuple[str, Any], list[int]] = {}
        for position, row in enumerate(rows):
            for name in ("name_key", "sound_key", "pinfl_hash", "fold_given", "fold_family"):
                value = getattr(row, name)
                if value:
                    keyed.setdefault((name, value), []).append(position)
        kept: list[tuple[int, Probe, list[_Keys]]] = []
        for index, probe in zip(live[start : start + MANY_CHUNK], chunk, strict=True):
            near: set[int] = set()
            for name, value in (
                ("name_key", probe.name_key), ("sound_key", probe.sound_key),
                ("pinfl_hash", probe.pinfl_hash), ("fold_given", probe.given),
                ("fold_family", probe.family),
            ):  # fmt: skip
                if value:
                    near.update(keyed.get((name, value), ()))
            mine = [rows[i] for i in sorted(near) if _blocked(probe, rows[i])][:MAX_ROWS]
            kept.append((index, probe, mine))
        wanted = sorted({row.pk for _index, _probe, mine in kept for row in mine}, key=str)
        full = {p.pk: p for p in _rows(user, Q(pk__in=wanted), [], limit=None)} if wanted else {}
        for index, probe, mine in kept:
            found_rows = [full[row.pk] for row in mine if row.pk in full]
            out[index] = _ranked(probe, found_rows, min_score, districts)
    return out


def _keys_in(probes: list[Probe], when: Q) -> Q:
    """Rows sharing a name key or a sound key with one of the probes, and meeting `when` (one
    condition per key, so that each can use its index)."""
    found = Q(pk__in=[])
    for field in ("name_key", "sound_key"):
        values = {getattr(p, field) for p in probes if getattr(p, field)}
        if values:
            found |= Q(**{f"{field}__in": sorted(values)}) & when
    return found


class _Keys(NamedTuple):
    """A person's blocking keys, as person_candidates_many reads them before whole rows."""

    pk: Any
    name_key: str
    sound_key: str
    pinfl_hash: str
    fold_given: str
    fold_family: str
    birth_date: dt.date | None


def _found_any(probes: list[Probe]) -> Q:
    """A condition that every row meeting one of the probes' conditions meets (and some others,
    which _blocked leaves out)."""
    found = _keys_in([p for p in probes if p.birth_date is None], Q())
    pinfls = {p.pinfl_hash for p in probes if p.pinfl_hash}
    if pinfls:
        found |= Q(pinfl_hash__in=sorted(pinfls))
    dated = [p for p in probes if p.birth_date is not None]
    if dated:
        first = min(p.birth_date for p in dated)  # type: ignore[type-var]
        last = max(p.birth_date for p in dated)  # type: ignore[type-var]
        found |= _keys_in(dated, _near_in_time(first, last))  # type: ignore[arg-type]
        # A single probe's slack is one or two years (_found); FAR_APART covers both.
        around = (first - FAR_APART, last + FAR_APART)  # type: ignore[operator]
        givens = sorted({p.given for p in dated if p.given})
        families = sorted({p.family for p in dated if p.family})
        if givens:
            found |= Q(fold_given__in=givens, birth_date__range=around)
        if families:
            found |= Q(fold_family__in=families, birth_date__range=around)
    return found
