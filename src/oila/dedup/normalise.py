"""Uzbek name folding for duplicate detection (ADR 0008).

The functions live in oila.common.names, the lowest layer, so that the registry (below dedup) can
store blocking keys on every person; this module is where duplicate detection names them.
"""

from oila.common.names import (
    APOSTROPHES,
    NameKeys,
    ParsedName,
    Patronymic,
    Surname,
    fold_name,
    name_keys,
    name_script_error,
    parse_full_name,
    parse_name,
    skeleton,
    split_patronymic,
    split_surname,
)

__all__ = [
    "APOSTROPHES",
    "NameKeys",
    "ParsedName",
    "Patronymic",
    "Surname",
    "fold_name",
    "name_keys",
    "name_script_error",
    "parse_full_name",
    "parse_name",
    "skeleton",
    "split_patronymic",
    "split_surname",
]
