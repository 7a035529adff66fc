from __future__ import annotations

import unicodedata
from unittest import TestCase

from hypothesis import given
from hypothesis import strategies as st

from oila.common.script import cyrillic_to_latin, detect_script, search_key


class CyrillicToLatinTests(TestCase):
    def test_it_writes_a_full_name_in_the_official_latin_alphabet(self) -> None:
        self.assertEqual(cyrillic_to_latin("Шаҳноза Каримова"), "Shahnoza Karimova")

    def test_yo_and_q_at_a_capital(self) -> None:
        self.assertEqual(cyrillic_to_latin("Ёқубов"), "Yoqubov")

    def test_e_at_a_word_start_is_ye(self) -> None:
        self.assertEqual(cyrillic_to_latin("Елена"), "Yelena")
        self.assertEqual(cyrillic_to_latin("Ержан"), "Yerjan")
        self.assertEqual(cyrillic_to_latin("Гулнора Ерматова"), "Gulnora Yermatova")

    def test_e_after_a_consonant_is_e_and_after_a_vowel_ye(self) -> None:
        self.assertEqual(cyrillic_to_latin("Бекзод"), "Bekzod")
        self.assertEqual(cyrillic_to_latin("Оев"), "Oyev")

    def test_u_with_breve_is_o_with_the_turned_comma(self) -> None:
        self.assertEqual(cyrillic_to_latin("Қўшкўпир"), "Qoʻshkoʻpir")
        self.assertEqual(cyrillic_to_latin("Ғофур"), "Gʻofur")

    def test_it_leaves_latin_digits_and_punctuation_alone(self) -> None:
        self.assertEqual(cyrillic_to_latin("Urganch, 12-uy"), "Urganch, 12-uy")

    def test_it_detects_the_script_a_name_was_entered_in(self) -> None:
        self.assertEqual(detect_script("Каримова"), "cyrl")
        self.assertEqual(detect_script("Karimova"), "latn")
        self.assertEqual(detect_script("Karimова"), "mixed")
        self.assertEqual(detect_script("12"), "")


class SearchKeyTests(TestCase):
    def test_cyrillic_and_latin_spellings_meet(self) -> None:
        self.assertEqual(search_key("Шаҳноза Каримова"), search_key("Shahnoza Karimova"))
        self.assertEqual(search_key("Ёқубов"), search_key("Yoqubov"))
        self.assertEqual(search_key("Елена"), search_key("Yelena"))

    def test_every_apostrophe_is_the_same_apostrophe(self) -> None:
        spellings = ["Қўшкўпир", "Qoʻshkoʻpir", "Qo'shko'pir", "Qo‘shko‘pir", "Qo`shko`pir"]
        self.assertEqual({search_key(s) for s in spellings}, {"qoshkopir"})

    def test_it_folds_case_and_spaces(self) -> None:
        self.assertEqual(search_key("  DILSHOD   Karimov "), "dilshod karimov")

    def test_decomposed_input_meets_composed_input(self) -> None:
        # Some keyboards and imports send й as и + combining breve (NFD).
        decomposed = unicodedata.normalize("NFD", "Йўлдош Ёқубов")
        self.assertEqual(search_key(decomposed), "yoldosh yoqubov")

    def test_accented_cyrillic_outside_the_table_still_becomes_latin(self) -> None:
        self.assertEqual(search_key("Ѐлена"), "yelena")

    def test_it_accepts_empty_input(self) -> None:
        self.assertEqual(search_key(""), "")


@given(st.text(max_size=40))
def test_search_key_is_idempotent(text: str) -> None:
    # A key stored in the database and a key computed from a query typed by a user must meet, so
    # applying it twice must change nothing.
    key = search_key(text)
    assert search_key(key) == key


# The whole Cyrillic block (U+0400–U+04FF, accented letters outside the Uzbek table included), where
# plain st.text() rarely looks.
@given(st.text(alphabet=st.characters(min_codepoint=0x400, max_codepoint=0x4FF) | st.just(" ")))
def test_search_key_is_idempotent_on_cyrillic(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key


@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшъьэюяўқғҳ АБВГДЕЁЖЗЎҚҒҲ-", max_size=30))
def test_search_key_of_uzbek_cyrillic_is_plain_latin(text: str) -> None:
    assert search_key(text).isascii()
