"""The registry's bulk services give what the per-record services give, and keep the audit chain."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

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


class FarApartTests(OilaTestCase):
    """A namesake born years apart is not a possible duplicate (unless the PINFL is the same)."""

    def test_a_namesake_born_decades_apart_is_left_out(self) -> None:
        born = self.child.birth_date
        assert born is not None
        near = {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
                "birth_date": born.replace(year=born.year + 1)}  # fmt: skip
        far = dict(near, birth_date=born.replace(year=born.year - 30))
        for data, found in ((near, True), (far, False)):
            with self.subTest(found=found):
                single = person_candidates(user=self.alice, data=data)
                (many,) = person_candidates_many(user=self.alice, items=[(data, None)])
                self.assertEqual(self.child.pk in [c.person_id for c in single], found)
                self.assertEqual(
                    [(c.person_id, c.score) for c in many], [(c.person_id, c.score) for c in single]
                )


class PersonValidateTests(OilaTestCase):
    """person_validate reports what Person.full_clean reports, without building a Person."""

    CASES = [
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
         "birth_date": dt.date(2014, 5, 20), "pinfl": "41234567890123", "wg_seeing": 2},
        {"given_name": "Шаҳноза", "family_name": "Каримова", "sex": "female"},
        {"given_name": "1234", "family_name": "Karimova", "sex": "female"},
        {"given_name": "沙赫诺扎", "family_name": "Karimova", "sex": "female"},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "girl"},
        {"given_name": "Shahnoza", "family_name": "Karimova"},
        {"family_name": "Karimova", "sex": "female"},
        {"given_name": "S" * 101, "family_name": "Karimova", "sex": "female"},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
         "birth_date": dt.date(2999, 1, 1)},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
         "birth_date": dt.date(1800, 1, 1)},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
         "birth_date": "2014-05-20"},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
         "birth_date": "20 May"},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female", "pinfl": "123"},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female", "wg_hearing": 9},
        {"given_name": "", "family_name": "", "sex": "", "phone": "x" * 41},
        {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
         "estimated_age": 7},
    ]  # fmt: skip

    def test_the_same_errors_as_full_clean(self) -> None:
        from django.core.exceptions import ValidationError

        from oila.registry.models import Person
        from oila.registry.services import PERSON_FIELDS, _derive_person, _person_data

        for data in self.CASES:
            with self.subTest(data=data):
                person = Person(
                    **{k: v for k, v in _person_data(data).items() if k in PERSON_FIELDS}
                )
                _derive_person(person)
                expected: dict[str, list[str]] = {}
                try:
                    person.full_clean(
                        exclude=["programme", "team", "caseworker"],
                        validate_unique=False, validate_constraints=False,
                    )  # fmt: skip
                except ValidationError as exc:
                    expected = exc.message_dict
                got: dict[str, list[str]] = {}
                try:
                    registry.person_validate(data=dict(data))
                except ValidationError as exc:
                    got = exc.message_dict
                self.assertEqual(got, expected)
        # Both kinds of answer are among the cases.
        self.assertTrue(any(self._errors(d) for d in self.CASES))
        self.assertFalse(self._errors(self.CASES[0]))

    def _errors(self, data: dict[str, object]) -> bool:
        from django.core.exceptions import ValidationError

        try:
            registry.person_validate(data=dict(data))
        except ValidationError:
            return True
        return False

    def test_people_import_names_each_refused_item(self) -> None:
        from django.core.exceptions import ValidationError

        items = [
            {"household": self.household, "relationship": relationship,
             "data": {"given_name": name, "family_name": "Karimova", "sex": "female"}}
            for name, relationship in (("Ozoda", "child"), ("Nodira", "cousin"),
                                       ("Lola", "child"), ("Zarina", "cousin"))
        ]  # fmt: skip
        with self.assertRaises(ValidationError) as raised:
            registry.people_import(actor=self.alice, items=items)
        self.assertEqual(
            sorted(raised.exception.message_dict), ["1.relationship", "3.relationship"]
        )


class FastWriteTests(OilaTestCase):
    """common.bulk's insert_many and update_many write what bulk_create and bulk_update write."""

    def test_insert_many_writes_the_rows_bulk_create_writes(self) -> None:
        from oila.audit.models import AuditEvent
        from oila.common.bulk import insert_many
        from oila.registry.models import Person

        def person(given: str) -> Person:
            return Person(
                programme=self.programme, team=self.child.team, caseworker=self.alice,
                given_name=given, family_name="Karimova", sex="female",
                birth_date=dt.date(2012, 4, 5), phone="+998901234567", birth_date_estimated=True,
                wg_seeing=3, pinfl="41234567890123", pinfl_hash="h", merged_into=self.child,
            )  # fmt: skip

        one, two = person("Ozoda"), person("Ozoda")
        Person.objects.bulk_create([one])
        insert_many(Person, [two])
        self.assertFalse(two._state.adding)
        skip = {"id", "created_at", "updated_at"}
        fields = [f.attname for f in Person._meta.concrete_fields if f.attname not in skip]
        first = Person.objects.filter(pk=one.pk).values(*fields).get()
        second = Person.objects.filter(pk=two.pk).values(*fields).get()
        self.assertEqual(second, first)
        self.assertIsNotNone(Person.objects.get(pk=two.pk).created_at)
        before = AuditEvent.objects.count()
        insert_many(
            AuditEvent,
            [AuditEvent(seq=10_000 + i, at=two.created_at, kind="write", action="t.x",
                        after={"n": i}, prev_hash="p", hash=f"h{i}") for i in range(3)],
        )  # fmt: skip
        self.assertEqual(AuditEvent.objects.count(), before + 3)
        self.assertEqual(AuditEvent.objects.get(seq=10_002).after, {"n": 2})

    def test_insert_many_checks_related_objects_as_bulk_create_does(self) -> None:
        import uuid

        from oila.common.bulk import insert_many
        from oila.registry.models import Membership, Person

        def member(person: Person) -> Membership:
            return Membership(
                household=self.household, person=person, relationship="child",
                started_on=dt.date(2026, 1, 2),
            )  # fmt: skip

        for write in (insert_many, lambda model, objs: model.objects.bulk_create(objs)):
            unsaved = Person(programme=self.programme, given_name="A", family_name="B", sex="male")
            unsaved.pk = None
            membership = member(unsaved)
            with self.subTest(write=write), self.assertRaisesMessage(ValueError, "'person'"):
                write(Membership, [membership])
            # Saved after it was assigned: its key is copied at the insert.
            unsaved.pk = uuid.uuid4()
            Person.objects.bulk_create([unsaved])
            self.assertIsNone(membership.person_id)
            write(Membership, [membership])
            self.assertEqual(Membership.objects.get(pk=membership.pk).person_id, unsaved.pk)

    def test_instance_maker_builds_what_the_constructor_builds(self) -> None:
        from oila.common.bulk import instance_maker
        from oila.registry.models import Enrolment, Membership, Person

        cases = [
            (Person, {"programme": self.programme, "team_id": self.child.team_id,
                      "given_name": "Ozoda", "family_name": "Karimova", "sex": "female",
                      "birth_date": dt.date(2012, 4, 5), "wg_seeing": 3}),
            (Membership, {"household": self.household, "person": self.child,
                          "relationship": "child", "started_on": dt.date(2026, 1, 2)}),
            (Enrolment, {"programme_id": self.programme.pk, "person": self.child,
                         "group": "sos_child", "enrolled_on": dt.date(2026, 1, 2)}),
        ]  # fmt: skip
        for model, kwargs in cases:
            with self.subTest(model=model.__name__):
                make = instance_maker(model)
                made, built = make(**kwargs), model(**kwargs)
                other = make(**kwargs)
                for field in model._meta.concrete_fields:
                    a, b = getattr(made, field.attname), getattr(built, field.attname)
                    if field.primary_key:  # a new key each time, of the same kind
                        self.assertIs(type(a), type(b))
                        self.assertNotEqual(a, other.pk)
                    else:
                        self.assertEqual(a, b, field.name)
                        if isinstance(a, dict | list):  # a default of its own, not shared
                            self.assertIsNot(a, getattr(other, field.attname), field.name)
                self.assertTrue(made._state.adding)
                for name, value in kwargs.items():
                    if isinstance(value, Model):
                        self.assertIs(getattr(made, name), value)  # cached, as the constructor

    def test_update_many_sets_the_fields_given(self) -> None:
        from oila.common.bulk import update_many
        from oila.registry.models import Household

        self.household.search_text = "new text"
        self.household.name = "not saved"
        update_many(Household, [self.household], ["search_text"])
        saved = Household.objects.get(pk=self.household.pk)
        self.assertEqual(saved.search_text, "new text")
        self.assertNotEqual(saved.name, "not saved")

    def test_validated_people_are_written_without_a_second_check(self) -> None:
        data = {"given_name": "Bahodir", "family_name": "Karimov", "sex": "male",
                "birth_date": dt.date(2011, 6, 7)}  # fmt: skip
        registry.person_validate(data=dict(data))
        (person,) = registry.people_import(
            actor=self.alice,
            items=[
                {
                    "household": self.household,
                    "data": dict(data),
                    "relationship": "child",
                    "group": "vulnerable_child",
                }
            ],
            validated=True,
        )
        person.refresh_from_db()
        self.assertEqual((person.given_name, person.fold_given), ("Bahodir", "bahodir"))
        self.assertEqual(person.enrolments.get().group, "vulnerable_child")
        self.assertTrue(verify_chain().ok)
