"""geo.selectors keeps the places the selects show in memory; the forms show them and validate
against the database."""

from __future__ import annotations

from unittest import mock

from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import translation

from oila.geo import selectors
from oila.geo.models import District, Mahalla
from oila.registry.forms import HouseholdFilterForm, HouseholdForm

KEPT = override_settings(OILA_PLACE_CACHE_SECONDS=60)


def _options(html: str) -> int:
    return html.count("<option")


class PlaceOptionsTests(TestCase):
    def setUp(self) -> None:
        selectors._drop()
        self.addCleanup(selectors._drop)
        self.district, self.other = District.objects.order_by("soato")[:2]
        for name in ("Navroʻz MFY", "Guliston MFY"):
            Mahalla.objects.create(district=self.district, name_uz=name)
        Mahalla.objects.create(district=self.other, name_uz="Ichan qalʼa MFY")

    def test_the_filter_shows_the_districts_and_the_chosen_district_s_mahallas(self) -> None:
        form = HouseholdFilterForm({"district": str(self.district.pk)})
        districts = list(District.objects.order_by("soato"))
        html = str(form["district"])
        self.assertEqual(_options(html), len(districts) + 1)  # and "All"
        self.assertIn(f'<option value="{self.district.pk}" selected>', html)
        html = str(form["mahalla"])
        names = list(self.district.mahallas.order_by("name_uz").values_list("pk", "name_uz"))
        self.assertEqual(_options(html), len(names) + 1)
        for pk, name in names:
            self.assertIn(f'<option value="{pk}">{name}</option>', html)
        self.assertNotIn("Ichan", html)
        self.assertLess(html.index("Guliston"), html.index("Navroʻz"))  # by name

    def test_no_district_no_mahallas(self) -> None:
        html = str(HouseholdFilterForm({})["mahalla"])
        self.assertEqual(_options(html), 1)
        self.assertIn("Choose a district first", html)

    def test_names_follow_the_language(self) -> None:
        self.district.name_ru, self.district.name_uz_cyrl = "Ургенч (ру)", "Урганч (кир)"
        self.district.save()
        for language, name in (("ru", "Ургенч (ру)"), ("uz-cyrl", "Урганч (кир)")):
            with self.subTest(language=language), translation.override(language):
                self.assertIn(f">{name}</option>", str(HouseholdFilterForm({})["district"]))

    def test_a_required_district_with_a_value_has_no_blank_option(self) -> None:
        form = HouseholdForm(initial={"district": self.district.pk})
        field = form.fields["district"]
        html = str(form["district"])
        expected = District.objects.count() + (0 if field.empty_label is None else 1)
        self.assertEqual(_options(html), expected)

    @KEPT
    def test_kept_they_are_read_once(self) -> None:
        first = HouseholdFilterForm({"district": str(self.district.pk)})
        str(first["district"]), str(first["mahalla"])
        form = HouseholdFilterForm({"district": str(self.district.pk)})
        self.assertTrue(form.is_valid())  # the district checked in the database
        with self.assertNumQueries(0):
            str(form["mahalla"])
            str(form["district"])
            str(HouseholdFilterForm()["district"])

    @KEPT
    def test_a_saved_place_is_shown_at_once_and_a_rolled_back_one_never(self) -> None:
        form = lambda: HouseholdFilterForm({"district": str(self.district.pk)})  # noqa: E731
        str(form()["mahalla"])
        Mahalla.objects.create(district=self.district, name_uz="Yangi MFY")
        self.assertIn("Yangi MFY", str(form()["mahalla"]))
        with transaction.atomic():
            Mahalla.objects.create(district=self.district, name_uz="Bekor MFY")
            self.assertIn("Bekor MFY", str(form()["mahalla"]))  # read inside its transaction
            transaction.set_rollback(True)
        with self.captureOnCommitCallbacks(execute=True):
            pass
        selectors._drop()  # what the rolled-back transaction's own end leaves to the next reader
        self.assertNotIn("Bekor MFY", str(form()["mahalla"]))

    @KEPT
    def test_other_workers_see_a_change_after_the_time(self) -> None:
        with mock.patch.object(selectors.time, "monotonic", return_value=1000.0):
            held = selectors.district_options()
        District.objects.filter(pk=self.district.pk).update(name_uz="Renamed")  # no signal
        with mock.patch.object(selectors.time, "monotonic", return_value=1059.0):
            self.assertIs(selectors.district_options(), held)
        with mock.patch.object(selectors.time, "monotonic", return_value=1060.0):
            names = [d.name_uz for d in selectors.district_options()]
        self.assertIn("Renamed", names)

    def test_a_chosen_mahalla_is_checked_against_the_database(self) -> None:
        mahalla = Mahalla.objects.create(district=self.other, name_uz="Boshqa MFY")
        form = HouseholdFilterForm({"district": str(self.district.pk), "mahalla": str(mahalla.pk)})
        self.assertEqual(form.filters().mahalla, mahalla)  # of another district: the model says
        form = HouseholdFilterForm({"mahalla": "00000000-0000-0000-0000-000000000000"})
        self.assertIsNone(form.filters().mahalla)
        self.assertIn("mahalla", form.errors)
