"""common.forms.ListedChoiceIterator gives Django's options in one ordinary query."""

from __future__ import annotations

from unittest import mock

from django import forms
from django.db.models import QuerySet
from django.test import TestCase

from oila.common.forms import ListedChoiceIterator
from oila.geo.models import District, Mahalla
from oila.geo.selectors import district_list
from oila.registry.forms import HouseholdFilterForm


class ListedChoiceIteratorTests(TestCase):
    def test_it_gives_django_s_options_without_a_server_side_cursor(self) -> None:
        listed = forms.ModelChoiceField(queryset=None, empty_label="All")
        listed.iterator = ListedChoiceIterator
        listed.queryset = district_list()
        plain = forms.ModelChoiceField(queryset=district_list(), empty_label="All")
        expected = [(str(value), label) for value, label in plain.widget.choices]
        self.assertGreater(len(expected), 10)
        no_cursor = mock.patch.object(QuerySet, "iterator", side_effect=AssertionError("iterator"))
        with no_cursor, self.assertNumQueries(1):
            got = [(str(value), label) for value, label in listed.widget.choices]
        self.assertEqual(got, expected)

    def test_the_household_filter_lists_the_chosen_district_s_mahallas(self) -> None:
        district, other = District.objects.order_by("soato")[:2]
        for name in ("Navroʻz MFY", "Guliston MFY"):
            Mahalla.objects.create(district=district, name_uz=name)
        Mahalla.objects.create(district=other, name_uz="Ichan qalʼa MFY")
        form = HouseholdFilterForm({"district": str(district.pk)})
        with mock.patch.object(QuerySet, "iterator", side_effect=AssertionError("iterator()")):
            html = str(form["mahalla"])
        names = list(district.mahallas.values_list("pk", flat=True))
        self.assertEqual(html.count("<option"), len(names) + 1)
        for pk in names:
            self.assertIn(f'value="{pk}"', html)
