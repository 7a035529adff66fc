"""Uzbek scripts: the official Cyrillic to Latin transliteration and a search key that meets both.

The table is the official one (ICU uz_Cyrl-uz_Latn; see DOMAIN.md §5). Full duplicate folding of
romanisation variants lives in oila.dedup.normalise and builds on this.
"""

from __future__ import annotations

import re
import unicodedata

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
            latin = "ye" if (not prev or not prev.isalpha() or prev in _VOWELS or prev in "ъьЪЬ") else "e"
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


def search_key(text: str) -> str:
    """A lower-case Latin form for search: Cyrillic transliterated, apostrophes and accents dropped."""
    latin = cyrillic_to_latin(text or "")
    for a in _APOSTROPHES:
        latin = latin.replace(a, "")
    decomposed = unicodedata.normalize("NFKD", latin)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())
