"""Folding Uzbek names for duplicate detection: one spelling for every way a name is written.

The same child is written Шаҳноза, Shahnoza, Shaxnoza or SHAHNOZA; Хуршид, Xurshid, Khurshid or
Hurshid; Oʻtkir, O'tkir, Ötkir, Ŭtkir or Otkir. `fold_name` maps every variant listed in DOMAIN.md §5
to one lower-case ASCII form, so that equal folds mean "the same name, however it was typed":

1. Uzbek Cyrillic → official Latin (oila.common.script.cyrillic_to_latin, ICU uz_Cyrl-uz_Latn);
2. lower case; oʻ and gʻ written with any apostrophe (ʻ ʼ ' ` ‘ ’) or as ö ŭ ğ → o, g; the 2026 reform
   letters ş ç → sh ch; other diacritics and apostrophes (the tutuq belgisi ʼ) dropped;
3. x / kh / h → h; gh → g; q → k; zh / dzh / dj → j (Russian-style romanisation of Ж); c → ts (Ц);
   ye → e (Cyrillic е at a word's start); i + y before a vowel → i (Zulfiya / Zulfia); doubled letters
   once (Sayyora / Sayora).

The result is a fixpoint (folding it again changes nothing), which the property tests check.

Surnames carry a gender suffix (-ov/-ova, -ev/-eva, -yev/-yeva) and patronymics a marker (Uzbek
"oʻgʻli" son of, "qizi" daughter of; Russian -ovich/-ovna, -evich/-evna): `split_surname` and
`split_patronymic` keep them apart from the name itself, so Karimov and Karimova share the stem
"karim" and "Sherzod qizi" and "Sherzodovna" share the father's name "sherzod".

This module is the lowest layer (common) so that the registry can store blocking keys on each person;
oila.dedup.normalise re-exports it (ADR 0008).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from oila.common.script import cyrillic_to_latin

# Apostrophe look-alikes used for the Uzbek oʻ/gʻ and for the tutuq belgisi (ʼ).
APOSTROPHES = "ʻʼ'`‘’´ʹ′ˈ"
_OG_APOSTROPHE = re.compile(f"([og])[{APOSTROPHES}]")
# Letters that stand for oʻ, gʻ, sh and ch in other spellings (Turkish-style, the 2026 reform, breve).
_SPECIAL = str.maketrans(
    {"ö": "o", "ŏ": "o", "ŭ": "o", "ğ": "g", "ǧ": "g", "ş": "sh", "ș": "sh", "ç": "ch", "ı": "i"}
)
_NOT_LETTER = re.compile(r"[^a-z]+")
_REPEAT = re.compile(r"([a-z])\1+")
_VOWELS = "aeiou"
# Placeholders (upper case never survives lower-casing) protect sh and ch while h-folding runs.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"dzh|dj|zh", "j"),
        (r"sh", "S"),
        (r"ch", "C"),
        (r"c", "ts"),
        (r"q", "k"),
        (r"x", "h"),
        (r"kh", "h"),
        (r"gh", "g"),
        (r"w", "v"),
        (r"ye", "e"),
        (r"iy(?=[aeiou])", "i"),
        (r"iy\b", "i"),
    )
)


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = cyrillic_to_latin(text).lower()
    text = _OG_APOSTROPHE.sub(r"\1", text).translate(_SPECIAL)
    # Accents off (é → e); Cyrillic letters outside the Uzbek table lose theirs and meet it second time.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = cyrillic_to_latin(text).lower()
    for a in APOSTROPHES:
        text = text.replace(a, "")
    text = _NOT_LETTER.sub(" ", text)
    text = _REPEAT.sub(r"\1", text)
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    text = text.replace("S", "sh").replace("C", "ch")
    text = _REPEAT.sub(r"\1", text)
    return " ".join(text.split())


@lru_cache(maxsize=200_000)
def fold_name(text: str) -> str:
    """A name in the one folded form: lower-case ASCII words, equal for every spelling variant.

    Letters of scripts other than Latin and Cyrillic are dropped, so a name written only in them folds
    to "" (see `name_script_error` for the message a form shows).
    """
    previous, folded = None, _fold_once(text or "")
    for _ in range(5):  # each pass can only shorten or keep the text; a fixpoint comes quickly
        if folded == previous:
            break
        previous, folded = folded, _fold_once(folded)
    return folded


# ---------------------------------------------------------------------------------------------------
# Surnames and patronymics

# (folded ending, the suffix it is, the sex it marks); longest first. -yeva/-yev fold to -eva/-ev.
_SURNAME_SUFFIXES = (
    ("ova", "ov", "female"),
    ("eva", "ev", "female"),
    ("ov", "ov", "male"),
    ("ev", "ev", "male"),
)
_PATRONYMIC_ENDINGS = (
    ("ovich", "male"),
    ("evich", "male"),
    ("ovna", "female"),
    ("evna", "female"),
)
# Uzbek markers after the father's name, folded: oʻgʻli (ўғли, ugli) son of, qizi (қизи) daughter of.
_PATRONYMIC_MARKERS = {"ogli": "male", "ugli": "male", "kizi": "female", "kiz": "female"}


@dataclass(frozen=True)
class Surname:
    stem: str  # "karim"
    suffix: str  # "ov", "ev" or ""
    sex: str  # "female", "male" or "" when the ending does not say


@dataclass(frozen=True)
class Patronymic:
    father: str  # the father's name, folded: "sherzod"
    marker: str  # "ogli", "kizi", "ovich", "ovna", … or ""
    sex: str


@lru_cache(maxsize=100_000)  # names repeat: a register of 100 000 people has a few thousand
def split_surname(text: str) -> Surname:
    """A surname's stem apart from its gender suffix: Karimova → karim + ov (female)."""
    folded = fold_name(text)
    words = folded.split()
    if not words:
        return Surname("", "", "")
    last = words[-1]
    for ending, suffix, sex in _SURNAME_SUFFIXES:
        if last.endswith(ending) and len(last) - len(ending) >= 2:
            stem = " ".join([*words[:-1], last[: -len(ending)]])
            return Surname(stem, suffix, sex)
    return Surname(folded, "", "")


def split_patronymic(text: str) -> Patronymic:
    """The father's name apart from the marker: 'Sherzod qizi' and 'Sherzodovna' → sherzod."""
    words = fold_name(text).split()
    if not words:
        return Patronymic("", "", "")
    if len(words) > 1 and words[-1] in _PATRONYMIC_MARKERS:
        return Patronymic(" ".join(words[:-1]), words[-1], _PATRONYMIC_MARKERS[words[-1]])
    last = words[-1]
    for ending, sex in _PATRONYMIC_ENDINGS:
        if last.endswith(ending) and len(last) - len(ending) >= 2:
            return Patronymic(" ".join([*words[:-1], last[: -len(ending)]]), ending, sex)
    return Patronymic(" ".join(words), "", "")


@dataclass(frozen=True)
class ParsedName:
    given: str
    family: str  # the surname's stem
    family_suffix: str
    patronymic: str  # the father's name
    patronymic_marker: str
    sex: str  # what the surname's or the patronymic's ending says, or ""


def _is_patronymic_word(word: str) -> bool:
    return any(word.endswith(e) and len(word) > len(e) + 1 for e, _ in _PATRONYMIC_ENDINGS)


def _has_surname_suffix(word: str) -> bool:
    return any(word.endswith(e) and len(word) - len(e) >= 2 for e, _, _ in _SURNAME_SUFFIXES)


def parse_name(given: str = "", family: str = "", patronymic: str = "") -> ParsedName:
    """A person's name from its three fields, folded, with suffix and patronymic markers apart."""
    surname = split_surname(family)
    father = split_patronymic(patronymic)
    return ParsedName(
        given=fold_name(given),
        family=surname.stem,
        family_suffix=surname.suffix,
        patronymic=father.father,
        patronymic_marker=father.marker,
        sex=surname.sex or father.sex,
    )


def parse_full_name(text: str) -> ParsedName:
    """A name written in one line, in any order ('KARIMOVA SHAHNOZA SHERZOD QIZI', 'Shahnoza
    Karimova', 'Karimova Shahnoza Sherzodovna'): the patronymic is found by its marker, the surname
    by its gender suffix (or, without one, taken as the first word of three, the last of two)."""
    words = fold_name(text).split()
    patronymic: list[str] = []
    if len(words) >= 3 and words[-1] in _PATRONYMIC_MARKERS:
        patronymic, words = words[-2:], words[:-2]
    elif len(words) >= 2 and _is_patronymic_word(words[-1]):
        patronymic, words = words[-1:], words[:-1]
    family_index = next((i for i, w in enumerate(words) if _has_surname_suffix(w)), None)
    if family_index is None and words:
        family_index = 0 if len(words) >= 3 or patronymic else len(words) - 1
    family = words[family_index] if family_index is not None else ""
    given = " ".join(w for i, w in enumerate(words) if i != family_index)
    return parse_name(given, family, " ".join(patronymic))


# ---------------------------------------------------------------------------------------------------
# Keys for blocking and comparison


def skeleton(folded: str) -> str:
    """A folded word's consonants (its first letter kept): sobir / sabir → sbr, polat / pulat → plt.

    Catches the vowel spellings of Russian-style romanisation (Uzbek o written a, oʻ written u) and
    vowel typos, for blocking and for a comparison level below the exact fold.
    """
    out = []
    for word in folded.split():
        rest = "".join(c for c in word[1:] if c not in _VOWELS + "y")
        out.append(_REPEAT.sub(r"\1", word[:1] + rest))
    return " ".join(out)


@dataclass(frozen=True)
class NameKeys:
    """What the registry stores on each person (indexed) for finding duplicates."""

    given: str  # folded given name
    family: str  # folded surname stem
    patronymic: str  # folded father's name
    name_key: str  # given and surname stem, sorted: the same when the two were swapped
    sound_key: str  # the same, by consonant skeletons


@lru_cache(maxsize=100_000)  # names repeat: a register of 100 000 people has a few thousand
def name_keys(given: str, family: str, patronymic: str = "") -> NameKeys:
    """The blocking keys of a name (see NameKeys)."""
    parsed = parse_name(given, family, patronymic)
    # Both words lose a surname suffix here, so that a name typed the wrong way round (surname in the
    # given-name field) still meets: Karimova Shahnoza and Shahnoza Karimova give "karim shahnoza".
    pair = sorted(p for p in (split_surname(given).stem, parsed.family) if p)
    return NameKeys(
        given=parsed.given,
        family=parsed.family,
        patronymic=parsed.patronymic,
        name_key=" ".join(pair),
        sound_key=" ".join(sorted(skeleton(p) for p in pair)),
    )


_LATIN_OR_CYRILLIC = re.compile(r"[A-Za-z\u00C0-\u024F\u0400-\u04FF]")


@lru_cache(maxsize=100_000)  # names repeat: a register of 100 000 people has a few thousand
def name_script_error(text: str) -> str:
    """'' when a name can be read (Latin or Cyrillic letters, even mixed), else what is wrong.

    Returned as a code so that the caller words the message in the user's language: 'no-letters'
    (nothing but digits or marks), 'unknown-script' (letters of another script).
    """
    # ʻ and ʼ (U+02BB, U+02BC) are "letters" to Unicode: the Uzbek oʻ, gʻ and tutuq belgisi.
    letters = [c for c in text if c.isalpha() and c not in APOSTROPHES]
    if not letters:
        return "no-letters"
    if any(not _LATIN_OR_CYRILLIC.match(c) for c in letters):
        return "unknown-script"
    return ""
