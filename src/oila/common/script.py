"""Uzbek scripts: the official Cyrillic to Latin transliteration and a search key that meets both.

The table is the official one (ICU uz_Cyrl-uz_Latn; see DOMAIN.md §5). Full duplicate folding of
romanisation variants lives in oila.dedup.normalise and builds on this.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_VOWELS = set("аеёиоуэюяўАЕЁИОУЭЮЯЎ")
_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "ʼ", "ь": "", "ы": "i", "э": "e", "ю": "yu", "я": "ya", "ў": "oʻ", "қ": "q", "ғ": "gʻ",
    "ҳ": "h",
}  # fmt: skip
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=100_000)  # pure; the same names come back again and again
def detect_script(text: str) -> str:
    """'cyrl', 'latn', 'mixed' or '' (no letters), for recording how a name was entered."""
    has_cyr = bool(_CYRILLIC.search(text))
    has_lat = bool(_LATIN.search(text))
    if has_cyr and has_lat:
        return "mixed"
    if has_cyr:
        return "cyrl"
    if has_lat:
        return "latn"
    return ""


def cyrillic_to_latin(text: str) -> str:
    """Official Uzbek Cyrillic → Latin: е is 'ye' at a word's start or after a vowel (or ъ/ь)."""
    out: list[str] = []
    prev = ""
    for ch in text:
        low = ch.lower()
        if low == "е":
            latin = (
                "ye"
                if (not prev or not prev.isalpha() or prev in _VOWELS or prev in "ъьЪЬ")
                else "e"
            )
        elif low in _CYR_TO_LAT:
            latin = _CYR_TO_LAT[low]
        else:
            out.append(ch)
            prev = ch
            continue
        if ch.isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        prev = ch
    return "".join(out)


_APOSTROPHES = "ʻʼ'`‘’´ʹ"


@lru_cache(maxsize=100_000)  # pure; the same names come back again and again
def search_key(text: str) -> str:
    """A lower-case Latin form for search: Cyrillic transliterated, apostrophes and accents dropped."""
    # Composed first, so that й, ё and ў meet the table as the letters they are.
    latin = cyrillic_to_latin(unicodedata.normalize("NFC", text or ""))
    decomposed = unicodedata.normalize("NFKD", latin)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Letters outside the table that lose an accent (ѐ → е, ӣ → и) are in it now: a second pass makes
    # the key idempotent, so a stored key and a key made from a typed query always meet.
    plain = cyrillic_to_latin(plain)
    for a in _APOSTROPHES:
        plain = plain.replace(a, "")
    return " ".join(plain.lower().split())


_LAT_DIGRAPHS = [
    ("oʻ", "ў"), ("gʻ", "ғ"), ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"),
    ("ye", "е"),
]  # fmt: skip
_LAT_SINGLE = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с",
    "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з", "ʼ": "ъ",
}  # fmt: skip
# Text that must pass through untouched: printf and format placeholders, HTML tags and entities.
_PROTECTED = re.compile(r"%\([^)]*\)[sdif]|%[sdif%]|\{[^}]*\}|<[^>]+>|&\w+;|https?://\S+|`[^`]*`")


def _latin_word_to_cyrillic(text: str) -> str:
    text = text.replace("o'", "oʻ").replace("g'", "gʻ").replace("O'", "Oʻ").replace("G'", "Gʻ")
    text = text.replace("‘", "ʻ").replace("`", "ʻ").replace("'", "ʼ")
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        low_pair = text[i : i + 2].lower()
        at_word_start = i == 0 or not text[i - 1].isalpha()
        cyr = None
        for latin, cyrillic in _LAT_DIGRAPHS:
            # "yoʻq" is й + ў + қ: a "yo" followed by ʻ is y and oʻ, not ё.
            if latin == "yo" and text[i + 2 : i + 3] == "ʻ":
                continue
            if low_pair == latin:
                cyr, step = cyrillic, 2
                break
        if cyr is None:
            low = ch.lower()
            cyr = "э" if low == "e" and at_word_start else _LAT_SINGLE.get(low)
            step = 1
        if cyr is None:
            out.append(ch)
            i += 1
            continue
        out.append(cyr.upper() if ch.isupper() else cyr)
        i += step
    return "".join(out)


def latin_to_cyrillic(text: str) -> str:
    """Uzbek Latin → Cyrillic (the reverse of the official table), leaving placeholders and tags alone.

    Used to derive the Uzbek Cyrillic interface from the Uzbek Latin one; Russian loanwords with ц or
    щ come out as their Latin spelling would be read (тс, ш), which Uzbek Cyrillic readers accept.
    """
    parts: list[str] = []
    last = 0
    for match in _PROTECTED.finditer(text):
        parts.append(_latin_word_to_cyrillic(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_latin_word_to_cyrillic(text[last:]))
    return "".join(parts)
