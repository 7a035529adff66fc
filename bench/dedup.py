"""Duplicate detection benchmark: oila's Uzbek-folded scan against a generic splink set-up.

    .venv/bin/python bench/dedup.py --people 100000            # about 3 minutes here
    .venv/bin/python bench/dedup.py --people 1000000 --entry-people 200000

Generates a synthetic registry with labelled duplicates (script changes, romanisation variants, typos,
day/month swaps, missing birth dates, surname-suffix variants, moves between districts), then in one
run prints precision, recall and F1 (overall and on cross-script pairs) and the time of:

(a) oila's scan: oila.dedup.scan, the code path of `oila dedup scan`, on a DuckDB table built from
    the generated records. Each record carries the blocking keys the registry services store on a
    person (computed once, as at entry; their cost is printed apart);
(b) a generic splink set-up, what a user would otherwise pick: the same fields lower-cased, splink's
    NameComparison (Jaro-Winkler) and DateOfBirthComparison, the same kind of blocking and training,
    no Uzbek folding;

and the check at entry's latency (registry.matching.person_candidates), p50 and p95 over sampled
entries against an SQLite database of --entry-people people (default: all of them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from oila.common.names import name_keys
from oila.common.script import detect_script, latin_to_cyrillic
from oila.dedup import scan
from oila.demo.names import FEMALE_NAMES, MALE_NAMES, SURNAMES

THRESHOLD = scan.DEFAULT_THRESHOLD
DISTRICTS = [
    "1733204", "1733208", "1733212", "1733217", "1733220", "1733221", "1733223", "1733226",
    "1733230", "1733233", "1733236", "1733401", "1733406",
]  # fmt: skip

# More names than the demo's, so that a million people are as varied as a region's. Khorezm's names
# are compounds (men: -bek, -jon, -boy; women: -xon, -oy, -gul, …) and its surnames are made from a
# forefather's name (Otajonov, Matnazarov, Qurbonniyozov), so both come in their thousands. Frequencies
# are Zipf-like (a few very common, a long tail: what term-frequency adjustment is for), the most
# common given name about 4 % and the most common surname about 2 % of people.
_MALE_ROOTS = [
    "Ulugʻ", "Sher", "Jahon", "Nur", "Shams", "Said", "Asad", "Baxt", "Davron", "Eldor", "Fazl",
    "Gʻani", "Husan", "Islom", "Kamol", "Lochin", "Mirza", "Ota", "Poʻlat", "Quvvat", "Sanjar",
    "Tolib", "Umar", "Vali", "Xayrulla", "Yorqin", "Zokir", "Abdulla", "Baxrom", "Chori", "Doniyor",
    "Furqat", "Gʻulom", "Hamza", "Ilyos", "Joʻra", "Karim", "Latif", "Nabi", "Orif", "Qodir",
    "Rasul", "Toxir", "Usmon", "Vohid", "Xolmat", "Olim", "Ergash", "Qoʻchqor", "Rajab", "Sharif",
    "Temir", "Xasan", "Yoqub", "Botir", "Diyor", "Hayot", "Murod", "Nodir", "Oybek", "Sodiq",
    "Azim", "Bahrom", "Dilmurod", "Elmurod", "Farhod", "Gʻayrat", "Hikmat", "Inom", "Jamol",
    "Komil", "Mahmud", "Nozim", "Odil", "Qahramon", "Rustam", "Sardor", "Tohir", "Ulugʻmurod",
    "Xurshid", "Yusuf", "Zafar", "Abror", "Behzod", "Dostonbek", "Erkin", "Fayzulla", "Hamid",
]  # fmt: skip
_MALE_ENDS = ["", "bek", "jon", "boy"]
_FEMALE_ROOTS = [
    "Dil", "Gul", "Nil", "Mah", "Sar", "Shah", "Zar", "Nod", "Fer", "Ruh", "Sev", "Mun", "Nar",
    "Oy", "Sit", "Hul", "Bar", "Mav", "Zeb", "Lay", "Moh", "Nig", "Sao", "Yul", "Qum", "Shod",
    "Xur", "Mal", "Mad", "Kom", "Rob", "Saod", "Ziyo", "Ozod", "Nasib", "Iqbol", "Bahor", "Sanam",
    "Gulch", "Mehr", "Nafis", "Oyd", "Parv", "Rayh", "Sabr", "Tab", "Umid", "Vaz", "Xol", "Zuh",
]  # fmt: skip
_FEMALE_ENDS = ["noza", "bahor", "xon", "oy", "gul", "ira", "ora", "iza", "shod", "nur", "a"]
_SURNAME_ROOTS = sorted(
    {
        "Ota", "Bek", "Qurbon", "Roʻz", "Mat", "Olla", "Egam", "Xudoy", "Sapar", "Juma", "Bobo",
        "Yoqub", "Qur", "Ibodulla", "Said", "Davlat", "Bola", "Ollayor", "Qalandar", "Rahim",
        "Xoliq", "Nur", "Eshon", "Polvon", "Yusup", "Hamro", "Bolta", "Sobir", "Karim", "Ergash",
        "Qodir", "Rajab", "Safar", "Sharif", "Oʻrin", "Jumaniyoz", "Ibrohim", "Xudoyber", "Quvon",
        "Allaber", "Atajon", "Kamol", "Madrahim", "Norqobil", "Ogʻa", "Palvan", "Raxmat", "Saidmur",
        "Tojiboy", "Urin", "Vafo", "Xayit", "Yangi", "Zaripboy", "Abdi", "Bahodir", "Doʻst",
        "Eshmat", "Fayzi", "Gʻaybul", "Hakim", "Ismoil", "Jabbor", "Kurbon", "Latip", "Mamat",
        "Nazar", "Oltin", "Pirim", "Qoʻzi", "Rozim", "Sulton", "Tursun", "Umar", "Valiy",
        *[r.rstrip("ʻʼ") for r in _MALE_ROOTS],
    }
)  # fmt: skip
_SURNAME_ENDS = [
    "bergan",
    "jon",
    "boy",
    "niyoz",
    "nazar",
    "murod",
    "qul",
    "yoz",
    "metov",
    "bek",
    "",
]


def _pool(names: list[str], exponent: float = 0.6) -> tuple[list[str], list[float]]:
    unique = sorted(set(names))
    random.Random(7).shuffle(unique)
    weights = [1.0 / (rank + 1) ** exponent for rank in range(len(unique))]
    return unique, weights


def _surname(stem: str) -> str:
    if stem.endswith(("ov", "ev")):
        return stem
    return stem + ("yev" if stem[-1] in "aeiou" else "ov")


MALE = _pool(MALE_NAMES + [r + e for r in _MALE_ROOTS for e in _MALE_ENDS])
FEMALE = _pool(FEMALE_NAMES + [r + e for r in _FEMALE_ROOTS for e in _FEMALE_ENDS])
FAMILY = _pool(SURNAMES + [_surname(r + e) for r in _SURNAME_ROOTS for e in _SURNAME_ENDS])


# ---------------------------------------------------------------------------------------------------
# Variants that make duplicates (DOMAIN.md §5)

_RUSSIAN_STYLE = str.maketrans("ҲҳҚқҒғЎў", "ХхКкГгУу")
_LATIN_VARIANTS = [
    ("x", ["kh", "h"]), ("X", ["Kh", "H"]), ("(?<![sScC])h", ["x", "kh"]), ("H", ["X", "Kh"]),
    ("oʻ", ["o'", "o`", "o‘", "ö", "ŭ", "o"]), ("Oʻ", ["O'", "Ö", "O"]),
    ("gʻ", ["g'", "gh", "ğ", "g"]), ("Gʻ", ["G'", "Gh", "Ğ"]),
    ("q", ["k"]), ("Q", ["K"]), ("sh", ["ş"]), ("Sh", ["Ş"]), ("ch", ["ç"]), ("Ch", ["Ç"]),
    ("j", ["zh", "dj"]), ("J", ["Zh", "Dj"]), ("yeva", ["eva"]), ("yev", ["ev"]), ("ʼ", ["'", ""]),
]  # fmt: skip


def _romanise(text: str, rng: random.Random) -> str:
    """Another Latin spelling of a name: one to three of the variants clerks use."""
    options = [(a, b) for a, b in _LATIN_VARIANTS if re.search(a, text)]
    rng.shuffle(options)
    for a, choices in options[: rng.randint(1, 3)]:
        text = re.sub(a, rng.choice(choices), text)
    return text


def _typo(text: str, rng: random.Random) -> str:
    """One slip of the keyboard, in the script the name is written in."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice("sdti")
    letters = "аеиоукламнрст" if detect_script(text) == "cyrl" else "aeiouklmnrst"
    if kind == "s":
        return text[:i] + rng.choice(letters) + text[i + 1 :]
    if kind == "d":
        return text[:i] + text[i + 1 :]
    if kind == "t":
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice(letters) + text[i:]


def _script(text: str, kind: str) -> str:
    if kind == "cyrl":
        return latin_to_cyrillic(text)
    if kind == "cyrl-ru":
        return latin_to_cyrillic(text).translate(_RUSSIAN_STYLE)
    return text


def _patronymic(father: str, sex: str, style: str) -> str:
    if style == "uzbek":
        return f"{father} {'qizi' if sex == 'female' else 'oʻgʻli'}"
    stem = father.replace("ʻ", "").replace("ʼ", "")
    stem += "yev" if stem[-1] in "aeiou" else "ov"
    return stem + ("na" if sex == "female" else "ich")


# ---------------------------------------------------------------------------------------------------
# The synthetic registry


def _pick(pool: tuple[list[str], list[float]], rng: random.Random) -> str:
    return rng.choices(pool[0], weights=pool[1])[0]


def _person(index: int, rng: random.Random) -> dict[str, Any]:
    sex = rng.choice(("female", "male"))
    given = _pick(FEMALE if sex == "female" else MALE, rng)
    surname = _pick(FAMILY, rng)
    family = surname + "a" if sex == "female" else surname
    father = _pick(MALE, rng)
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 74))
    child = birth.year >= 2007
    return {
        "id": index,
        "given_name": given,
        "family_name": family,
        "patronymic": _patronymic(father, sex, rng.choice(("uzbek", "russian")))
        if rng.random() < 0.6
        else "",
        "birth_date": birth,
        "sex": sex,
        "district": rng.choice(DISTRICTS),
        "mother_name": _pick(FEMALE, rng) if child and rng.random() < 0.6 else "",
        "pinfl": f"{rng.randrange(10**13, 10**14)}" if rng.random() < 0.35 else "",
        "script": "latn",
    }


def _duplicate(original: dict[str, Any], index: int, rng: random.Random) -> dict[str, Any]:
    dup = dict(original, id=index)
    names = ["given_name", "family_name", "patronymic", "mother_name"]
    roll = rng.random()
    if roll < 0.25:
        kind = "cyrl"
    elif roll < 0.35:
        kind = "cyrl-ru"
    else:
        kind = "latn"
    tags = [] if kind == "latn" else [kind]
    if kind == "latn" and rng.random() < 0.7:
        tags.append("romanised")
        for name in names:
            dup[name] = _romanise(dup[name], rng)
    for name in names:
        dup[name] = _script(dup[name], kind)
    if rng.random() < 0.2:
        tags.append("upper-case")
        dup["given_name"], dup["family_name"] = (
            dup["given_name"].upper(),
            dup["family_name"].upper(),
        )
    if rng.random() < 0.15:
        tags.append("typo")
        target = rng.choice(("given_name", "family_name"))
        dup[target] = _typo(dup[target], rng)
    birth = dup["birth_date"]
    roll = rng.random()
    if roll < 0.08 and birth.day <= 12 and birth.day != birth.month:
        tags.append("day/month swapped")
        dup["birth_date"] = birth.replace(month=birth.day, day=birth.month)
    elif roll < 0.16:
        tags.append("no birth date")
        dup["birth_date"] = None
    elif roll < 0.21:
        tags.append("birth date estimated")
        dup["birth_date"] = birth + dt.timedelta(days=rng.randint(-300, 300))
    if rng.random() < 0.1:
        tags.append("moved district")
        dup["district"] = rng.choice(DISTRICTS)
    if original["pinfl"]:
        dup["pinfl"] = original["pinfl"] if rng.random() < 0.4 else ""
    if rng.random() < 0.3:
        dup["patronymic"] = ""
    if "yev" in original["family_name"] and kind == "latn" and rng.random() < 0.5:
        tags.append("surname suffix")
        dup["family_name"] = dup["family_name"].replace("yev", "ev")
    dup["script"] = kind
    dup["variants"] = tags
    return dup


def generate(people: int, seed: int) -> tuple[list[dict[str, Any]], list[int]]:
    """`people` records, about 12 % of them duplicates of another (some twice); returns the records
    and, per record, the id of the person it really is (its cluster)."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    cluster: list[int] = []
    while len(records) < people:
        original = _person(len(records), rng)
        records.append(original)
        cluster.append(original["id"])
        copies = 1 if rng.random() < 0.11 else 0
        copies += 1 if copies and rng.random() < 0.12 else 0
        for _ in range(copies):
            if len(records) >= people:
                break
            records.append(_duplicate(original, len(records), rng))
            cluster.append(original["id"])
    # Shuffle ids so that duplicates are not neighbours.
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[i] for i in order], [cluster[i] for i in order]


def with_keys(records: list[dict[str, Any]]) -> float:
    """Add what the registry services store on a person (blocking keys, script, PINFL hash)."""
    started = time.monotonic()
    for record in records:
        keys = name_keys(record["given_name"], record["family_name"], record["patronymic"])
        record.update(
            fold_given=keys.given,
            fold_family=keys.family,
            fold_patronymic=keys.patronymic,
            name_key=keys.name_key,
            sound_key=keys.sound_key,
            name_script=detect_script(f"{record['given_name']} {record['family_name']}"),
            pinfl_hash=hashlib.sha256(record["pinfl"].encode()).hexdigest()
            if record["pinfl"]
            else "",
        )
    return time.monotonic() - started


def true_pairs(records: list[dict[str, Any]], clusters: list[int]) -> set[frozenset[str]]:
    members: dict[int, list[str]] = defaultdict(list)
    for record, c in zip(records, clusters, strict=True):
        members[c].append(str(record["id"]))
    return {frozenset(p) for ids in members.values() if len(ids) > 1 for p in combinations(ids, 2)}


# ---------------------------------------------------------------------------------------------------
# The generic baseline


def baseline(records: list[dict[str, Any]], threshold: float) -> tuple[set[frozenset[str]], float]:
    """A generic splink set-up: lower-cased raw names, NameComparison (Jaro-Winkler), no folding."""
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.monotonic()
    con = scan.connect()
    arrow = pa.Table.from_pylist(
        [
            {
                "unique_id": str(r["id"]),
                "given_name": r["given_name"],
                "family_name": r["family_name"],
                "birth_date": r["birth_date"],
                "sex": r["sex"],
                "district": r["district"],
                "mother_name": r["mother_name"],
                "pinfl_hash": r["pinfl_hash"],
            }
            for r in records
        ]
    )
    con.register("raw", arrow)
    con.execute(
        "CREATE TABLE people AS SELECT unique_id, lower(given_name) AS first_name, "
        "lower(family_name) AS surname, birth_date AS dob, year(birth_date) AS birth_year, sex, "
        "district, nullif(lower(mother_name), '') AS mother, nullif(pinfl_hash, '') AS pinfl "
        "FROM raw"
    )
    con.unregister("raw")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("sex"),
            cl.ExactMatch("district"),
            cl.NameComparison("mother"),
            cl.ExactMatch("pinfl"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "birth_year"),
            block_on("first_name", "birth_year"),
            block_on("dob", "district"),
            block_on("pinfl"),
        ],
    )
    linker = Linker(DuckDBAPI(con).register("people"), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on("pinfl")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(scan.U_MAX_PAIRS, len(records) * 10), seed=1
    )
    for rule in (block_on("first_name", "surname"), block_on("dob", "district")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception as exc:
            print(f"  baseline EM warning: {exc}", file=sys.stderr)
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    pairs = {
        frozenset((str(a), str(b)))
        for a, b in con.sql(
            f"SELECT unique_id_l, unique_id_r FROM {predicted.physical_name}"
        ).fetchall()
    }
    seconds = time.monotonic() - started
    con.close()
    return pairs, seconds


# ---------------------------------------------------------------------------------------------------
# Scoring


def scores(
    predicted: set[frozenset[str]], truth: set[frozenset[str]], keep: Any = None
) -> dict[str, float]:
    if keep is not None:
        predicted = {p for p in predicted if keep(p)}
        truth = {p for p in truth if keep(p)}
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": len(predicted)}


# ---------------------------------------------------------------------------------------------------
# The check at entry against a Django database


def entry_check(
    records: list[dict[str, Any]],
    clusters: list[int],
    people: int,
    samples: int,
    seed: int,
    database_url: str | None,
) -> dict[str, Any]:
    """p50/p95 of registry.matching.person_candidates over `samples` entries of people already in a
    database of `people` records (the other record of a duplicate pair typed in again)."""
    workdir = Path(tempfile.mkdtemp(prefix="oila-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oila.settings")
    os.environ["DEBUG"] = "1"
    os.environ["OILA_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from oila.accounts.models import Organisation, Programme, Role, User
    from oila.common.crypto import keyed_hash
    from oila.geo.models import District
    from oila.registry.matching import person_candidates
    from oila.registry.models import Household, Membership, Person

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(name="Bench NGO", type=Organisation.Type.PROGRAMME_NGO)
    programme = Programme.objects.create(
        name="Bench", slug="bench", organisation=org, starts_on=dt.date(2017, 1, 1)
    )
    manager = User.objects.create_user(username="bench-manager", role=Role.MANAGER)
    manager.programmes.set([programme])
    districts = {d.soato: d for d in District.objects.all()}
    stored = records[:people]
    in_db = {str(r["id"]) for r in stored}
    batch = 5000
    with transaction.atomic():
        for start in range(0, len(stored), batch):
            chunk = stored[start : start + batch]
            households = [
                Household(programme=programme, name=r["family_name"], district=districts[r["district"]])
                for r in chunk
            ]  # fmt: skip
            Household.objects.bulk_create(households, batch_size=batch)
            persons = [
                Person(
                    programme=programme,
                    given_name=r["given_name"],
                    family_name=r["family_name"],
                    patronymic=r["patronymic"],
                    sex=r["sex"],
                    birth_date=r["birth_date"],
                    name_script=r["name_script"],
                    pinfl_hash=keyed_hash(r["pinfl"]) if r["pinfl"] else "",
                    fold_given=r["fold_given"][:100],
                    fold_family=r["fold_family"][:100],
                    fold_patronymic=r["fold_patronymic"][:100],
                    name_key=r["name_key"][:201],
                    sound_key=r["sound_key"][:201],
                    external_id=str(r["id"]),
                )
                for r in chunk
            ]
            Person.objects.bulk_create(persons, batch_size=batch)
            Membership.objects.bulk_create(
                [
                    Membership(
                        household=h, person=p, relationship="head", started_on=dt.date(2020, 1, 1)
                    )
                    for h, p in zip(households, persons, strict=True)
                ],
                batch_size=batch,
            )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load_seconds = time.monotonic() - started
    # Entries: one record of a duplicate pair whose other record is in the database.
    by_cluster: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record, c in zip(records, clusters, strict=True):
        by_cluster[c].append(record)
    probes = []
    for group in by_cluster.values():
        if len(group) > 1 and str(group[0]["id"]) in in_db:
            probes.append((group[1], str(group[0]["id"])))
    rng = random.Random(seed)
    probes = rng.sample(probes, min(samples, len(probes)))
    wanted = [t for _, t in probes] + [str(p["id"]) for p, _ in probes]
    ids = dict(Person.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))
    fields = ("given_name", "family_name", "patronymic", "sex", "birth_date", "pinfl")
    times, found = [], 0
    for probe, target in probes:
        data = {k: probe[k] for k in fields}
        # The entry is typed anew: when its own record is in the database too, it is left out.
        own = ids.get(str(probe["id"]))
        district = districts[probe["district"]].pk
        tic = time.perf_counter()
        candidates = person_candidates(user=manager, data=data, district=district, exclude=own)
        times.append((time.perf_counter() - tic) * 1000)
        found += any(c.person_id == ids.get(target) for c in candidates)
    times.sort()
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)  # the database of a million is 1.6 GB
    return {
        "people": len(stored),
        "database": connection.vendor,
        "load_seconds": load_seconds,
        "samples": len(times),
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "found": found / len(times) if times else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--entry-people", type=int, default=None, help="default: --people")
    parser.add_argument("--entry-samples", type=int, default=500)
    parser.add_argument("--skip-entry", action="store_true")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a scratch database to fill (default: a new SQLite file)",
    )
    args = parser.parse_args()

    print(
        f"oila duplicate benchmark: {args.people:,} people, seed {args.seed}, threshold {args.threshold}"
    )
    tic = time.monotonic()
    records, clusters = generate(args.people, args.seed)
    truth = true_pairs(records, clusters)
    print(f"generated in {time.monotonic() - tic:.1f}s: {len(truth):,} true duplicate pairs")
    keys_seconds = with_keys(records)
    script_of = {str(r["id"]): r["name_script"] for r in records}

    def cross(pair: frozenset[str]) -> bool:
        a, b = tuple(pair)
        return script_of[a] != script_of[b]

    print(f"blocking keys (stored by the registry at entry): {keys_seconds:.1f}s")
    print(f"  of which cross-script pairs: {sum(1 for p in truth if cross(p)):,}")

    with tempfile.TemporaryDirectory() as models:
        result = scan.scan_records(
            records, model_dir=Path(models), threshold=args.threshold, progress=scan.Progress(scan.STEPS - 1)
        )  # fmt: skip
    ours = {frozenset((p.id_l, p.id_r)) for p in result.pairs}
    a_all, a_cross = scores(ours, truth), scores(ours, truth, cross)
    timings = result.timings
    print(
        f"(a) oila scan: {result.seconds:.1f}s (load {timings.get('load', 0):.1f}s, "
        f"train {timings.get('train', 0):.1f}s, predict {timings.get('predict', 0):.1f}s); "
        f"not comparable: {len(result.skipped)}"
    )
    for warning in result.warnings:
        print(f"    warning: {warning}")
    _line("    overall", a_all)
    _line("    cross-script", a_cross)
    if not args.skip_baseline:
        theirs, seconds = baseline(records, args.threshold)
        b_all, b_cross = scores(theirs, truth), scores(theirs, truth, cross)
        print(f"(b) generic splink: {seconds:.1f}s")
        _line("    overall", b_all)
        _line("    cross-script", b_cross)
        print(
            f"F1 oila {a_all['f1']:.4f} vs generic {b_all['f1']:.4f}; cross-script F1 "
            f"{a_cross['f1']:.4f} vs {b_cross['f1']:.4f} (+{a_cross['f1'] - b_cross['f1']:.4f}); "
            f"time ratio oila/generic {result.seconds / seconds:.2f} "
            f"({(result.seconds + keys_seconds) / seconds:.2f} counting the stored keys)"
        )
    if not args.skip_entry:
        n = min(args.entry_people or args.people, args.people)
        entry = entry_check(records, clusters, n, args.entry_samples, args.seed, args.database_url)
        note = "" if n == args.people else f" (measured at {n:,} people, not {args.people:,})"
        print(
            f"check at entry on {entry['database']} with {entry['people']:,} people{note}: "
            f"p50 {entry['p50_ms']:.1f} ms, p95 {entry['p95_ms']:.1f} ms over {entry['samples']} "
            f"entries; the existing person offered for {entry['found']:.1%} of them "
            f"(database built in {entry['load_seconds']:.0f}s)"
        )


def _line(label: str, s: dict[str, float]) -> None:
    print(
        f"{label}: precision {s['precision']:.4f}  recall {s['recall']:.4f}  F1 {s['f1']:.4f}  "
        f"({int(s['pairs']):,} pairs predicted)"
    )


if __name__ == "__main__":
    main()
