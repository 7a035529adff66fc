"""The whole-registry duplicate scan: splink on DuckDB over Uzbek-folded columns (ADR 0008).

This module needs no database of Django's: it takes records (dicts), builds a DuckDB table with the
comparison columns, trains a splink model by EM on it, saves the model as JSON and predicts the pairs
above a threshold. `oila dedup scan` (oila.dedup.services.scan_registry) feeds it the registry's
people; bench/dedup.py feeds it a synthetic registry of a million; docs/dedup-spark.md runs the saved
model on Spark. The same code path serves all three.

Comparison columns: the given name and the surname stem folded across scripts and spellings
(oila.common.names), each by levels (exact with term-frequency adjustment for common names, same
consonant skeleton, Jaro-Winkler ≥ 0.92, ≥ 0.8); the date of birth (exact, day and month swapped,
within a year); sex; district; the mother's given name where known; the father's name (from the
patronymic); the PINFL (its keyed hash). Blocking uses the keys the registry stores on each person.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from oila.common.names import fold_name, name_keys, skeleton

DEFAULT_THRESHOLD = 0.5
U_MAX_PAIRS = 3_000_000
SCAN_TABLE = "oila_people"

# Columns of the scan's input table, with their DuckDB types.
COLUMNS: dict[str, str] = {
    "unique_id": "VARCHAR",
    "fold_given": "VARCHAR",
    "fold_family": "VARCHAR",
    "fold_patronymic": "VARCHAR",
    "name_key": "VARCHAR",
    "sound_key": "VARCHAR",
    "given_sk": "VARCHAR",
    "family_sk": "VARCHAR",
    "birth_date": "DATE",
    "birth_year": "INTEGER",
    "sex": "VARCHAR",
    "district": "VARCHAR",
    "mother": "VARCHAR",
    "pinfl_hash": "VARCHAR",
    "name_script": "VARCHAR",
}
KEY_FIELDS = ("fold_given", "fold_family", "fold_patronymic", "name_key", "sound_key")


# ---------------------------------------------------------------------------------------------------
# Progress on stderr (plain text: no dependency, readable in a log file too)


class Progress:
    """A one-line text progress bar of named steps: `[#####-----] 3/8 training (EM) 12s`."""

    def __init__(self, steps: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.steps, self.done, self.width = steps, 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def step(self, label: str) -> None:
        self.done = min(self.done + 1, self.steps)
        filled = round(self.width * self.done / self.steps)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        line = f"[{bar}] {self.done}/{self.steps} {label} ({elapsed:.0f}s)"
        self.stream.write(("\r" + line.ljust(78)) if self.tty else line + "\n")
        if self.tty and self.done == self.steps:
            self.stream.write("\n")
        self.stream.flush()


class NoProgress(Progress):
    def __init__(self) -> None:
        super().__init__(1)

    def step(self, label: str) -> None:
        return None


# ---------------------------------------------------------------------------------------------------
# Building the input table


@dataclass
class Loaded:
    table: str
    count: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why) not compared


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))  # a date that does not exist raises ValueError


def comparison_row(record: dict[str, Any]) -> dict[str, Any]:
    """One person's comparison columns from a record: `id`, `given_name`, `family_name`,
    `patronymic`, `birth_date`, `sex`, `district`, `mother_name`, `pinfl_hash`, `name_script`, and the
    blocking keys the registry stores (computed here when missing).

    Raises ValueError for a record that cannot be compared (no name at all); a date of birth that does
    not exist is left out rather than failing the record.
    """
    if all(record.get(k) for k in ("fold_given", "name_key")):
        keys = {k: record.get(k) or "" for k in KEY_FIELDS}
    else:
        computed = name_keys(
            record.get("given_name") or "",
            record.get("family_name") or "",
            record.get("patronymic") or "",
        )
        keys = {
            "fold_given": computed.given,
            "fold_family": computed.family,
            "fold_patronymic": computed.patronymic,
            "name_key": computed.name_key,
            "sound_key": computed.sound_key,
        }
    if not keys["fold_given"] and not keys["fold_family"]:
        raise ValueError("no name in Latin or Cyrillic letters")
    try:
        birth = _date(record.get("birth_date"))
    except ValueError:
        birth = None
    mother = fold_name(record.get("mother_name") or "").split(" ")[0]
    return {
        "unique_id": str(record["id"]),
        **{k: (v or None) for k, v in keys.items()},
        "given_sk": skeleton(keys["fold_given"]) or None,
        "family_sk": skeleton(keys["fold_family"]) or None,
        "birth_date": birth,
        "birth_year": birth.year if birth else None,
        "sex": record.get("sex") or None,
        "district": str(record["district"]) if record.get("district") else None,
        "mother": mother or None,
        "pinfl_hash": record.get("pinfl_hash") or None,
        "name_script": record.get("name_script") or None,
    }


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _checked(table: str) -> str:
    """Table names go into SQL text (DuckDB takes no parameters for them): only plain identifiers."""
    if not _IDENTIFIER.match(table):
        raise ValueError(f"Not a table name: {table!r}")
    return table


def load_records(
    con: Any, records: Iterable[dict[str, Any]], *, table: str = SCAN_TABLE, batch: int = 200_000
) -> Loaded:
    """Build the scan's input table in DuckDB; records that cannot be compared are counted, never
    fatal."""
    import pyarrow as pa

    table = _checked(table)

    schema = pa.schema(
        [(name, pa.date32() if kind == "DATE" else pa.int32() if kind == "INTEGER" else pa.string())
         for name, kind in COLUMNS.items()]
    )  # fmt: skip
    con.execute(f"DROP TABLE IF EXISTS {table}")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"CREATE TABLE {table} ({columns})")
    loaded = Loaded(table=table, count=0)
    for chunk in _chunks(records, batch):
        rows = []
        for record in chunk:
            try:
                rows.append(comparison_row(record))
            except Exception as exc:
                loaded.skipped.append((str(record.get("id", "?")), str(exc) or type(exc).__name__))
        if rows:
            arrow = pa.Table.from_pylist(rows, schema=schema)
            con.register("oila_scan_chunk", arrow)
            con.execute(f"INSERT INTO {table} SELECT * FROM oila_scan_chunk")  # noqa: S608  # nosec B608 (identifier checked)
            con.unregister("oila_scan_chunk")
            loaded.count += len(rows)
    return loaded


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def connect(threads: int | None = None) -> Any:
    """An in-memory DuckDB that never downloads an extension (this machine reaches no CDN)."""
    import duckdb

    config: dict[str, Any] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if threads:
        config["threads"] = threads
    return duckdb.connect(":memory:", config=config)


# ---------------------------------------------------------------------------------------------------
# The model


# Starting m probabilities (EM refines them; they stand when a level never occurs among matches).
PRIORS: dict[str, list[float]] = {
    "name": [0.85, 0.05, 0.04, 0.03, 0.03],
    "birth_date": [0.8, 0.03, 0.1, 0.07],
    "sex": [0.98, 0.02],
    "district": [0.85, 0.15],
    "fuzzy": [0.8, 0.08, 0.12],
    "pinfl_hash": [0.99, 0.01],
}


def _name_comparison(column: str, skeleton_column: str, label: str) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=label,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
            cll.ExactMatchLevel(skeleton_column).configure(label_for_charts="same skeleton"),
            cll.JaroWinklerLevel(column, 0.92),
            cll.JaroWinklerLevel(column, 0.80),
            cll.ElseLevel(),
        ],
        comparison_description=f"{label}: folded across scripts and spellings",
    ).configure(m_probabilities=PRIORS["name"])


def _birth_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    swapped = (
        "year(birth_date_l) = year(birth_date_r) AND month(birth_date_l) = day(birth_date_r) "
        "AND day(birth_date_l) = month(birth_date_r)"
    )
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel(swapped, label_for_charts="day and month swapped"),
            cll.AbsoluteDateDifferenceLevel(
                "birth_date", input_is_string=False, threshold=1, metric="year"
            ),
            cll.ElseLevel(),
        ],
    ).configure(m_probabilities=PRIORS["birth_date"])


def _exact(column: str) -> Any:
    import splink.comparison_library as cl

    return cl.ExactMatch(column).configure(m_probabilities=PRIORS[column])


def _fuzzy(column: str) -> Any:
    import splink.comparison_library as cl

    return cl.JaroWinklerAtThresholds(column, [0.88]).configure(m_probabilities=PRIORS["fuzzy"])


def blocking_rules() -> list[Any]:
    """Pairs compared: the stored keys (ADR 0008). Each person's own blocking keys, so a scan and the
    check at entry look in the same places."""
    from splink import block_on

    return [
        block_on("name_key"),
        block_on("sound_key"),
        block_on("fold_family", "birth_year"),
        block_on("fold_given", "birth_year"),
        block_on("birth_date", "district"),
        block_on("pinfl_hash"),
    ]


def model_settings() -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _name_comparison("fold_given", "given_sk", "given_name"),
            _name_comparison("fold_family", "family_sk", "surname"),
            _birth_comparison(),
            _exact("sex"),
            _exact("district"),
            _fuzzy("mother"),
            _fuzzy("fold_patronymic"),
            _exact("pinfl_hash"),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


MIN_PINFL_PAIRS = 50  # pairs sharing a PINFL needed to train on them


def train(
    linker: Any, progress: Progress, *, pinfl_pairs: int = 0, u_max_pairs: int = U_MAX_PAIRS
) -> list[str]:
    """EM training on the registry itself: λ from near-certain rules, u by random sampling, m by EM.

    EM sessions block on the very columns a comparison reads, so that splink leaves that comparison
    out of the session. The first session is the pairs sharing a PINFL, nearly all true duplicates:
    it trains every other comparison on clean matches. Without enough of them, pairs with the same
    folded name stand in (noisier: a common name shared by strangers). The second, pairs born the same
    day in the same district, trains the names.
    """
    from splink import block_on

    progress.step("estimating how many pairs match")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "birth_date"), block_on("pinfl_hash")], recall=0.7
    )
    progress.step("estimating u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=1)
    first = (
        ("training (EM) on same PINFL", block_on("pinfl_hash"))
        if pinfl_pairs >= MIN_PINFL_PAIRS
        else ("training (EM) on same name", block_on("fold_given", "fold_family"))
    )
    warnings: list[str] = []
    for label, rule in (
        first,
        ("training (EM) on same birth date", block_on("birth_date", "district")),
    ):
        progress.step(label)
        # splink 5 filters the linker's own comparisons for an EM session and only puts them back
        # when the session succeeds: keep a copy to restore should it fail.
        saved = linker._settings_obj.core_model_settings.copy()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception as exc:
            # A small or very uniform registry can leave a level with no matches at all, which
            # splink refuses (an m of exactly 0). The priors in model_settings stand in for it.
            linker._settings_obj.core_model_settings = saved
            warnings.append(f"{label}: {exc}")
    return warnings


def next_model_path(directory: Path) -> tuple[int, Path]:
    """The next versioned model file: model-v<N>.json, N one more than the highest there."""
    directory.mkdir(parents=True, exist_ok=True)
    versions = [
        int(m[1]) for p in directory.glob("model-v*.json") if (m := re.match(r"model-v(\d+)\.json$", p.name))
    ]  # fmt: skip
    version = max(versions, default=0) + 1
    return version, directory / f"model-v{version}.json"


def latest_model(directory: Path) -> tuple[int, Path] | None:
    versions = sorted(
        (int(m[1]), p)
        for p in directory.glob("model-v*.json")
        if (m := re.match(r"model-v(\d+)\.json$", p.name))
    )
    return versions[-1] if versions else None


# ---------------------------------------------------------------------------------------------------
# Running


@dataclass
class Pair:
    id_l: str
    id_r: str
    probability: float
    reasons: tuple[str, ...]


@dataclass
class ScanResult:
    people: int
    skipped: list[tuple[str, str]]
    pairs: list[Pair]
    model_version: int | None
    model_path: Path | None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


PAIR_COLUMNS = (
    "fold_given", "fold_family", "name_script", "birth_date", "district", "mother",
    "fold_patronymic", "pinfl_hash", "given_sk", "family_sk",
)  # fmt: skip


def pair_reasons(left: dict[str, Any], right: dict[str, Any]) -> tuple[str, ...]:
    """Why two people were paired, in the codes the check at entry uses (registry.matching)."""

    def same(column: str) -> bool:
        return bool(left.get(column)) and left.get(column) == right.get(column)

    reasons: list[str] = []
    if same("pinfl_hash"):
        reasons.append("same_pinfl")
    if same("fold_given") and same("fold_family"):
        scripts = (left.get("name_script"), right.get("name_script"))
        cross = all(scripts) and scripts[0] != scripts[1]
        reasons.append("name_cross_script" if cross else "name_other_spelling")
    elif (same("fold_given") or same("given_sk")) and (same("fold_family") or same("family_sk")):
        reasons.append("name_similar")
    a, b = left.get("birth_date"), right.get("birth_date")
    if a and b:
        if a == b:
            reasons.append("dob_same")
        elif a.year == b.year and a.month == b.day and a.day == b.month:
            reasons.append("dob_swapped")
        elif abs((a - b).days) <= 366:
            reasons.append("dob_within_year")
    if same("district"):
        reasons.append("same_district")
    if same("mother"):
        reasons.append("same_mother")
    if same("fold_patronymic"):
        reasons.append("same_father")
    return tuple(reasons)


def run(
    con: Any,
    table: str,
    *,
    model_dir: Path | None = None,
    model_path: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
    u_max_pairs: int = U_MAX_PAIRS,
) -> ScanResult:
    """Train (or load `model_path`), save the model under `model_dir` (versioned), predict the pairs
    at or above `threshold` (a match probability)."""
    from splink import DuckDBAPI, Linker

    progress = progress or NoProgress()
    table = _checked(table)
    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.monotonic()
    timings: dict[str, float] = {}
    people = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608  # nosec B608 (identifier checked)
    if people < 2:
        progress.step("nothing to compare")
        return ScanResult(people, [], [], None, None)
    db_api = DuckDBAPI(con)
    frame = db_api.register(table)
    version: int | None = None
    warnings: list[str] = []
    if model_path is not None:
        linker = Linker(frame, str(model_path), log_level=None)
        for _ in range(4):
            progress.step("using the saved model")
    else:
        linker = Linker(frame, model_settings(), log_level=None)
        pinfl_pairs = con.execute(
            f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM {table} "  # noqa: S608  # nosec B608 (identifier checked)
            "WHERE pinfl_hash IS NOT NULL GROUP BY pinfl_hash)"
        ).fetchall()[0][0]
        warnings = train(
            linker,
            progress,
            pinfl_pairs=int(pinfl_pairs),
            u_max_pairs=min(u_max_pairs, max(people * 10, 10_000)),
        )
    timings["train"] = time.monotonic() - started
    if model_dir is not None and model_path is None:
        version, model_path = next_model_path(model_dir)
        linker.misc.save_model_to_json(str(model_path), overwrite=False)
    progress.step("comparing pairs")
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    timings["predict"] = time.monotonic() - started - timings["train"]
    side = ", ".join(f"{x}.{c} AS {c}_{x}" for x in ("l", "r") for c in PAIR_COLUMNS)
    relation = con.sql(
        f"SELECT p.unique_id_l, p.unique_id_r, p.match_probability, {side} "  # noqa: S608  # nosec B608 (identifier checked)
        f"FROM {predicted.physical_name} p "
        f"JOIN {table} l ON l.unique_id = p.unique_id_l "
        f"JOIN {table} r ON r.unique_id = p.unique_id_r"
    )
    names = relation.columns
    pairs = []
    for values in relation.fetchall():
        row = dict(zip(names, values, strict=True))
        left = {c: row[f"{c}_l"] for c in PAIR_COLUMNS}
        right = {c: row[f"{c}_r"] for c in PAIR_COLUMNS}
        pairs.append(
            Pair(
                str(row["unique_id_l"]),
                str(row["unique_id_r"]),
                float(row["match_probability"]),
                pair_reasons(left, right),
            )
        )
    predicted.drop_table_from_database_and_remove_from_cache()
    return ScanResult(
        people=people,
        skipped=[],
        pairs=pairs,
        model_version=version,
        model_path=model_path,
        seconds=time.monotonic() - started,
        timings=timings,
        warnings=warnings,
    )


_TRAINED = ("m_probability", "u_probability", "tf_adjustment_weight", "tf_minimum_u_value")


def portable_model(path: Path, dialect: str = "spark") -> dict[str, Any]:
    """A saved model for another SQL engine (docs/dedup-spark.md): the comparisons and blocking rules
    written again in `dialect` from the same definitions, with the trained parameters (λ, every
    level's m and u) of the saved JSON. splink refuses a model saved for DuckDB on Spark as it is,
    since its SQL is DuckDB's (jaro_winkler_similarity, date_diff)."""
    trained = json.loads(Path(path).read_text())
    target: dict[str, Any] = model_settings().get_settings(dialect).as_dict()
    target["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    pairs = zip(target["comparisons"], trained["comparisons"], strict=True)
    for ours, saved in pairs:
        if ours["output_column_name"] != saved["output_column_name"]:
            raise ValueError(
                f"The saved model is of another shape ({saved['output_column_name']})."
            )
        levels = zip(ours["comparison_levels"], saved["comparison_levels"], strict=True)
        for level, saved_level in levels:
            level.update({k: saved_level[k] for k in _TRAINED if k in saved_level})
    return target


def scan_records(
    records: Iterable[dict[str, Any]],
    *,
    model_dir: Path | None = None,
    model_path: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
    threads: int | None = None,
    on_loaded: Callable[[Loaded], None] | None = None,
) -> ScanResult:
    """The whole scan from records: load, train (or use a saved model), predict."""
    progress = progress or NoProgress()
    con = connect(threads)
    started = time.monotonic()
    loaded = load_records(con, records)
    load_seconds = time.monotonic() - started
    progress.step(f"loaded {loaded.count} people ({len(loaded.skipped)} not comparable)")
    if on_loaded is not None:
        on_loaded(loaded)
    result = run(
        con,
        loaded.table,
        model_dir=model_dir,
        model_path=model_path,
        threshold=threshold,
        progress=progress,
    )
    result.skipped = loaded.skipped
    result.timings["load"] = load_seconds
    result.seconds += load_seconds
    con.close()
    return result


STEPS = 7  # progress steps of scan_records (load, 4 training, compare) + storing the candidates
