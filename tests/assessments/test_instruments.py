"""Instruments are data: the bundled definitions, their texts per language, loading new versions."""

from __future__ import annotations

import copy
import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from oila.assessments import definitions, services
from oila.assessments.models import Instrument, Item, ScaleLevel
from oila.audit.models import AuditEvent
from oila.common.errors import ApplicationError
from oila.common.script import latin_to_cyrillic
from tests.assessments.factories import CSI_CODES
from tests.base import OilaTestCase


def csi_file() -> dict:
    return json.loads((definitions.DATA_DIR / "csi-v1.json").read_text(encoding="utf-8"))


class InstrumentTests(OilaTestCase):
    def test_it_ships_the_csi_with_twelve_factors_of_four_levels_with_guidance(self) -> None:
        csi = Instrument.objects.get(code="csi", version=1)
        self.assertTrue(csi.active)
        self.assertEqual(csi.applies_to, Instrument.AppliesTo.CHILD)
        items = list(csi.items.order_by("order"))
        self.assertEqual([item.code for item in items], CSI_CODES)
        for item in items:
            levels = list(item.levels.order_by("-value"))
            self.assertEqual([lv.value for lv in levels], [4, 3, 2, 1], item.code)
            for level in levels:
                for lang in ("en", "uz", "uz-cyrl", "ru"):
                    self.assertTrue(level.guidances.get(lang), f"{item.code} {level.value} {lang}")
        food = items[0]
        self.assertEqual(food.labels["en"], "Food security")
        self.assertEqual(food.domains["en"], "Food and nutrition")
        self.assertEqual(food.goals["en"], "Has enough food to eat at all times of the year")
        self.assertEqual(
            [lv.labels["en"] for lv in food.levels.order_by("-value")],
            ["good", "fair", "bad", "very bad"],
        )

    def test_it_ships_the_family_economic_and_youth_employability_assessments(self) -> None:
        economy = Instrument.objects.get(code="family-economy", active=True)
        self.assertEqual(economy.applies_to, Instrument.AppliesTo.HOUSEHOLD)
        labels = [item.labels["en"] for item in economy.items.order_by("order")]
        for topic in ("income", "benefits", "employment", "housing", "debts", "covid", "inflation"):
            self.assertTrue(any(topic in label.lower() for label in labels), topic)
        youth = Instrument.objects.get(code="youth-employability", active=True)
        self.assertEqual(youth.applies_to, Instrument.AppliesTo.YOUTH)
        self.assertGreaterEqual(youth.items.count(), 6)
        self.assertEqual(
            ScaleLevel.objects.filter(item__instrument=youth).count(), youth.items.count() * 4
        )

    def test_it_shows_the_active_languages_text(self) -> None:
        item = Item.objects.get(instrument__code="csi", code="2A")
        with translation.override("ru"):
            self.assertEqual(item.label, "Жильё")
        with translation.override("uz"):
            self.assertEqual(item.label, "Boshpana")
        with translation.override("uz-cyrl"):
            self.assertEqual(item.label, "Бошпана")
        with translation.override("en"):
            self.assertEqual(item.label, "Shelter")

    def test_it_derives_uzbek_cyrillic_from_uzbek_latin(self) -> None:
        item = Item.objects.get(instrument__code="csi", code="2B")
        self.assertEqual(item.goals["uz-cyrl"], latin_to_cyrillic(item.goals["uz"]))
        self.assertEqual(item.labels["uz-cyrl"], "Ғамхўрлик")

    def test_loading_a_new_version_retires_the_old_one_for_new_assessments(self) -> None:
        definition = csi_file()
        definition["version"] = 2
        definition["items"][0]["label"]["en"] = "Food security (revised)"
        v2 = services.instrument_load(actor=None, definition=definition)
        self.assertEqual(v2.version, 2)
        self.assertTrue(v2.active)
        self.assertFalse(Instrument.objects.get(code="csi", version=1).active)
        self.assertEqual(v2.items.get(code="1A").labels["en"], "Food security (revised)")
        self.assertTrue(AuditEvent.objects.filter(action="instrument.load").exists())

    def test_loading_the_same_definition_again_changes_nothing(self) -> None:
        before = Instrument.objects.count(), Item.objects.count(), AuditEvent.objects.count()
        again = services.instrument_load(actor=None, definition=csi_file())
        self.assertEqual(again, Instrument.objects.get(code="csi", version=1))
        after = Instrument.objects.count(), Item.objects.count(), AuditEvent.objects.count()
        self.assertEqual(before, after)

    def test_it_refuses_different_content_under_a_version_already_loaded(self) -> None:
        definition = csi_file()
        definition["items"][0]["label"]["en"] = "Changed"
        with self.assertRaisesMessage(ApplicationError, "already loaded with different content"):
            services.instrument_load(actor=None, definition=definition)

    def test_it_refuses_a_broken_definition_and_names_the_problem(self) -> None:
        cases = {
            "a guidance text missing": ("items[1A].guidance", self._without_guidance()),
            "a language missing": ("the text in 'ru' is missing", self._without_russian()),
            "an item twice": ("appears twice", self._item_twice()),
        }
        count = Instrument.objects.count()
        for name, (message, definition) in cases.items():
            with self.subTest(name), self.assertRaisesMessage(ApplicationError, message):
                services.instrument_load(actor=None, definition=definition)
        self.assertEqual(Instrument.objects.count(), count)

    def _v2(self) -> dict:
        definition = csi_file()
        definition["version"] = 2
        return definition

    def _without_guidance(self) -> dict:
        definition = self._v2()
        del definition["items"][0]["guidance"]["3"]
        return definition

    def _without_russian(self) -> dict:
        definition = self._v2()
        del definition["name"]["ru"]
        return definition

    def _item_twice(self) -> dict:
        definition = self._v2()
        definition["items"].append(copy.deepcopy(definition["items"][0]))
        return definition

    def test_the_command_loads_a_file_and_lists_the_instruments(self) -> None:
        definition = csi_file()
        definition["version"] = 3
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "csi-v3.json"
            path.write_text(json.dumps(definition), encoding="utf-8")
            out = io.StringIO()
            call_command("instruments", "load", str(path), stdout=out)
        self.assertIn("csi", out.getvalue())
        self.assertTrue(Instrument.objects.filter(code="csi", version=3, active=True).exists())
        out = io.StringIO()
        call_command("instruments", "list", stdout=out)
        self.assertIn("csi v3 (CSI): 12 items", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("instruments", "load", "/nonexistent.json", stdout=io.StringIO())
