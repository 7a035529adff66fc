"""The registry's bulk services give what the per-record services give, and keep the audit chain."""

from __future__ import annotations

import datetime as dt

from oila.audit.services import verify_chain
from oila.registry import services as registry
from oila.registry.matching import person_candidates, person_candidates_many
from tests.base import OilaTestCase

DERIVED = ["search_text", "name_script", "fold_given", "fold_family", "fold_patronymic",
           "name_key", "sound_key", "pinfl_hash", "has_disability", "team_id", "caseworker_id"]  # fmt: skip


class BulkServiceTests(OilaTestCase):
    def test_people_import_derives_what_person_create_derives(self) -> None:
        data = {"given_name": "Гулнора", "family_name": "Каримова", "patronymic": "Dilshod qizi",
                "sex": "female", "birth_date": dt.date(1990, 2, 3), "pinfl": "41234567890123"}  # fmt: skip
        one = registry.person_create(
            actor=self.alice, data=dict(data), household=self.household, relationship="spouse"
        )
        (many,) = registry.people_import(
            actor=self.alice,
            items=[{"household": self.household, "data": dict(data), "relationship": "spouse"}],
        )
        many.refresh_from_db()
        for field in DERIVED:
            self.assertEqual(getattr(many, field), getattr(one, field), field)
        self.assertEqual(many.pinfl, "41234567890123")
        self.household.refresh_from_db()
        self.assertIn("gulnora", self.household.search_text)
        self.assertTrue(verify_chain().ok)

    def test_the_batched_check_at_entry_finds_what_the_single_one_finds(self) -> None:
        probes = [
            ({"given_name": "Шаҳноза", "family_name": "Каримова", "sex": "female",
              "birth_date": dt.date(2014, 5, 20)}, self.urganch),
            ({"given_name": "Dilshod", "family_name": "Karimov", "sex": "male",
              "birth_date": dt.date(1985, 1, 3)}, None),
            ({"given_name": "Nobody", "family_name": "Atall", "sex": "male"}, None),
        ]  # fmt: skip
        many = person_candidates_many(user=self.alice, items=probes)
        single = [person_candidates(user=self.alice, data=d, district=x) for d, x in probes]
        self.assertEqual(
            [[(c.person_id, c.score, c.reasons) for c in cs] for cs in many],
            [[(c.person_id, c.score, c.reasons) for c in cs] for cs in single],
        )
        self.assertEqual(many[0][0].person_id, self.child.pk)
        self.assertEqual(many[2], [])
