from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from oila.common.script import cyrillic_to_latin, latin_to_cyrillic
from oila.geo.khorezm import DISTRICTS


class LatinToCyrillicTests:
    def test_it_writes_every_khorezm_district_as_its_official_cyrillic_name(self) -> None:
        for _soato, latin, cyrillic, _ru, _kind in DISTRICTS:
            assert latin_to_cyrillic(latin) == cyrillic

    def test_it_leaves_placeholders_and_tags_alone(self) -> None:
        assert (
            latin_to_cyrillic("Yangi oila %(name)s <b>qoʻshish</b> {count}")
            == "Янги оила %(name)s <b>қўшиш</b> {count}"
        )

    def test_e_at_a_word_start_is_e_with_a_tail(self) -> None:
        assert latin_to_cyrillic("Eshik ochiq") == "Эшик очиқ"

    def test_plain_apostrophes_count_as_the_modifier_letters(self) -> None:
        assert latin_to_cyrillic("Qo'shko'pir, Bog'ot") == "Қўшкўпир, Боғот"


@given(st.text(alphabet="abdfghijklmnopqrstuvxyz ", max_size=30))
def test_official_latin_round_trips_through_cyrillic(text: str) -> None:
    # Lower case without "e" (whose Cyrillic spelling depends on position): one letter, one letter back.
    assert cyrillic_to_latin(latin_to_cyrillic(text)) == text
