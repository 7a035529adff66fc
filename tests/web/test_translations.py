"""The interface's translations: complete catalogues, each language on the page, Uzbek Cyrillic derived.

Translators edit locale/uz (Uzbek, Latin) and locale/ru; locale/uz_Cyrl is written from locale/uz by
`make messages` (docs/translating.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from oila.common.script import latin_to_cyrillic

LOCALE = Path(settings.LOCALE_PATHS[0])
EDITED = ("uz", "ru")  # the catalogues people translate
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|\{[^}]*\}|<[^>]+>")


def catalogue(locale: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / locale / "LC_MESSAGES" / "django.po"))


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def translations(entry: polib.POEntry) -> list[str]:
    """The msgstr, or every plural form, in order."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals=(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, "the catalogue has no Plural-Forms header"
    return int(match.group(1))


class CatalogueTests(SimpleTestCase):
    """Every user-facing string is translatable, so every message must be translated."""

    def test_it_translates_every_message_into_uzbek_and_russian(self) -> None:
        for locale in EDITED:
            po = catalogue(locale)
            missing = [e.msgid for e in live(po) if not all(t.strip() for t in translations(e))]
            self.assertEqual(missing, [], f"untranslated in locale/{locale} (run make messages)")

    def test_it_has_no_fuzzy_messages(self) -> None:
        for locale in EDITED:
            fuzzy = [e.msgid for e in live(catalogue(locale)) if "fuzzy" in e.flags]
            self.assertEqual(fuzzy, [], f"fuzzy (unchecked) translations in locale/{locale}")

    def test_it_gives_every_plural_message_as_many_forms_as_the_language_has(self) -> None:
        for locale in EDITED:
            po = catalogue(locale)
            for entry in live(po):
                if entry.msgid_plural:
                    with self.subTest(locale=locale, msgid=entry.msgid):
                        self.assertEqual(len(entry.msgstr_plural), nplurals(po))

    def test_it_keeps_every_placeholder_and_tag(self) -> None:
        for locale in EDITED:
            for entry in live(catalogue(locale)):
                source = entry.msgid_plural or entry.msgid
                expected = sorted(PLACEHOLDER.findall(source))
                for text in translations(entry):
                    with self.subTest(locale=locale, msgid=entry.msgid):
                        self.assertEqual(sorted(PLACEHOLDER.findall(text)), expected)

    def test_it_writes_uzbek_with_the_official_apostrophes(self) -> None:
        # oʻ and gʻ take U+02BB, the tutuq belgisi U+02BC; a typed ' or ` is a slip.
        for entry in live(catalogue("uz")):
            for text in translations(entry):
                with self.subTest(msgid=entry.msgid):
                    self.assertNotRegex(PLACEHOLDER.sub("", text), r"[A-Za-z]['‘’]")

    def test_it_declares_language_charset_and_plural_forms(self) -> None:
        for locale, language in (("uz", "uz"), ("ru", "ru"), ("uz_Cyrl", "uz_Cyrl")):
            meta = catalogue(locale).metadata
            with self.subTest(locale=locale):
                self.assertEqual(meta["Language"], language)
                self.assertIn("charset=UTF-8", meta["Content-Type"])
                self.assertIn("plural=", meta["Plural-Forms"])


class DerivedCyrillicTests(SimpleTestCase):
    """locale/uz_Cyrl is locale/uz transliterated, entry by entry: nobody forgets to re-derive it."""

    def test_it_is_the_latin_catalogue_transliterated(self) -> None:
        latin = {(e.msgctxt, e.msgid): e for e in live(catalogue("uz"))}
        cyrillic = {(e.msgctxt, e.msgid): e for e in live(catalogue("uz_Cyrl"))}
        self.assertEqual(set(cyrillic), set(latin), "uz_Cyrl is out of date: run make messages")
        for key, entry in latin.items():
            with self.subTest(msgid=entry.msgid):
                expected = [latin_to_cyrillic(t) if t else "" for t in translations(entry)]
                self.assertEqual(translations(cyrillic[key]), expected)

    # "yoʻq" must come out as "йўқ" (not "ёʻқ"), and `code` in API texts stays as it is.
    def test_it_leaves_no_latin_letters_in_the_cyrillic(self) -> None:
        for entry in live(catalogue("uz_Cyrl")):
            for text in translations(entry):
                rest = re.sub(r"`[^`]*`", "", PLACEHOLDER.sub("", text))
                with self.subTest(msgid=entry.msgid):
                    self.assertNotRegex(rest, r"[A-Za-zʻ]")

    def test_it_keeps_the_latin_catalogues_plural_forms(self) -> None:
        self.assertEqual(
            catalogue("uz_Cyrl").metadata["Plural-Forms"], catalogue("uz").metadata["Plural-Forms"]
        )


class CompiledCatalogueTests(SimpleTestCase):
    """The .mo files Django reads say what the .po files say (compilemessages was run)."""

    def test_it_compiled_every_catalogue(self) -> None:
        for locale in (*EDITED, "uz_Cyrl"):
            po = catalogue(locale)
            mo_path = LOCALE / locale / "LC_MESSAGES" / "django.mo"
            with self.subTest(locale=locale):
                self.assertTrue(mo_path.exists(), f"{mo_path} is missing: run make messages")
                mo = polib.mofile(str(mo_path))
                compiled = {(e.msgctxt, e.msgid): translations(e) for e in mo if e.msgid}
                written = {
                    (e.msgctxt, e.msgid): translations(e)
                    for e in live(po)
                    if e.msgid and "fuzzy" not in e.flags and any(translations(e))
                }
                stale = sorted(
                    key[1]
                    for key in compiled.keys() | written.keys()
                    if compiled.get(key) != written.get(key)
                )
                self.assertEqual(stale, [], f"{mo_path} is stale: run make messages")


class LanguageChoiceTests(TestCase):
    """The language menu (set_language) gives the whole page in the chosen language."""

    # A label of the login page and the word each language has for it.
    SIGN_IN = {"uz": "Kirish", "uz-cyrl": "Кириш", "ru": "Войти", "en": "Sign in"}
    LANGUAGE = {"uz": "Til", "uz-cyrl": "Тил", "ru": "Язык", "en": "Language"}

    def login_page_in(self, code: str) -> str:
        login = reverse("login")
        response = self.client.post(reverse("set_language"), {"language": code, "next": login})
        self.assertRedirects(response, login, fetch_redirect_response=False)
        page = self.client.get(login)
        self.assertEqual(page.status_code, 200)
        return page.content.decode()

    def test_it_offers_exactly_the_languages_this_test_knows(self) -> None:
        self.assertEqual([code for code, _name in settings.LANGUAGES], list(self.SIGN_IN))

    def test_it_shows_the_login_page_in_each_language(self) -> None:
        for code, word in self.SIGN_IN.items():
            with self.subTest(language=code):
                page = self.login_page_in(code)
                self.assertIn(f'<html lang="{code}">', page)
                self.assertIn(f"<h1>{word}</h1>", page)
                self.assertIn(f'<label for="language">{self.LANGUAGE[code]}</label>', page)

    def test_it_writes_uzbek_cyrillic_in_cyrillic_not_latin(self) -> None:
        page = self.login_page_in("uz-cyrl")
        self.assertNotIn(self.SIGN_IN["uz"], page)
        self.assertNotIn(f'<label for="language">{self.LANGUAGE["uz"]}</label>', page)
