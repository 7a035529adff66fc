"""common.forms.FastSelect writes the HTML that Django's Select writes."""

from __future__ import annotations

import re

from django import forms
from django.test import SimpleTestCase

from oila.common.forms import FastSelect


def _tight(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


class FastSelectTests(SimpleTestCase):
    CHOICES = [
        ("", "All"),
        ("a", 'Bogʻot <tumani> & "Xiva"'),
        ("Groups", [("g1", "Ўзбек"), ("g2", "Русский")]),
        (3, "three"),
    ]

    def test_the_same_html_as_django(self) -> None:
        for value in (None, "", "a", "g2", 3, ["a"]):
            for attrs in (None, {"id": "id_f", "class": "x", "required": True, "disabled": False}):
                with self.subTest(value=value, attrs=attrs):
                    slow = forms.Select(choices=self.CHOICES).render("f", value, attrs=attrs)
                    fast = FastSelect(choices=self.CHOICES).render("f", value, attrs=attrs)
                    self.assertEqual(_tight(fast), _tight(slow))

    def test_in_a_form_field(self) -> None:
        class Form(forms.Form):
            f = forms.ChoiceField(choices=self.CHOICES, required=False, widget=FastSelect)

        class Slow(forms.Form):
            f = forms.ChoiceField(choices=self.CHOICES, required=False)

        for data in ({}, {"f": "g1"}, {"f": "nonsense"}):
            with self.subTest(data=data):
                self.assertEqual(
                    _tight(str(Form(data or None)["f"])), _tight(str(Slow(data or None)["f"]))
                )
