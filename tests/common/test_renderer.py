"""oila.common.renderer.FormRenderer writes, byte for byte, what Django's form templates write."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any
from unittest import mock

from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import TestCase
from django.utils.safestring import mark_safe

import oila
from oila.common.forms import DateInput
from oila.common.renderer import WRITTEN, FormRenderer
from oila.geo.selectors import district_list

ENGINE, PYTHON = DjangoTemplates(), FormRenderer()

TRICKY = 'Bogʻot <b>"tumani"</b> & Ўзбек'
GROUPED = [
    ("", "All"),
    ("a", TRICKY),
    ("Groups <&>", [("g1", "Ўзбек"), ("g2", "Русский")]),
    (3, 12345),
]


class Everything(forms.Form):
    """One field of every kind the project uses, with the attributes that change the HTML."""

    required_css_class = "required"
    error_css_class = "error"

    name = forms.CharField(max_length=10, help_text="A <i>help</i> text & more")
    search = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "hx-get": "/x/?a=1&b=2", "autofocus": True, "data-n": None}
        ),
    )
    count = forms.IntegerField(
        required=False, min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    amount = forms.DecimalField(required=False, decimal_places=2)
    email = forms.EmailField(required=False, label="E-mail?")
    site = forms.URLField(required=False, label="", assume_scheme="https")
    born = forms.DateField(required=False, widget=DateInput)
    at = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    phone = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    agreed = forms.BooleanField(required=False)
    choice = forms.ChoiceField(required=False, choices=GROUPED)
    many = forms.MultipleChoiceField(required=False, choices=GROUPED)
    boxes = forms.MultipleChoiceField(
        required=False, choices=GROUPED, widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(required=False, choices=GROUPED[1:], widget=forms.RadioSelect)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    upload = forms.FileField(required=False)
    locked = forms.CharField(required=False, disabled=True, initial="fixed")
    shown_initial = forms.CharField(required=False, show_hidden_initial=True, initial="i")
    safe_label = forms.CharField(required=False, label=mark_safe("<em>Safe</em> label"))
    district = forms.ModelChoiceField(queryset=district_list(), required=False)
    districts = forms.ModelMultipleChoiceField(queryset=district_list(), required=False)


BOUND = {
    "name": "far too long a name <script>",
    "search": 'a "quoted" <value>',
    "count": "-3",
    "amount": "12.345",
    "email": "not an e-mail",
    "site": "nope",
    "born": "31.02.2024",
    "at": "2024-01-01 10:00",
    "time": "25:00",
    "agreed": "on",
    "choice": "g2",
    "many": ["a", "3"],
    "boxes": ["g1"],
    "radio": "nonsense",
    "notes": "line one\n<b>line two</b>",
    "hidden": "h&h",
    "locked": "changed",
    "shown_initial": "changed",
    "district": "not a key",
}


def _renderings(make: Callable[[], forms.BaseForm], renderer: Any) -> list[tuple[str, str]]:
    form = make()
    form.renderer = renderer  # before anything is rendered or validated
    out = [("form", str(form.as_div()))]
    for bound in form:
        out += [
            (f"{bound.name} group", str(bound.as_field_group())),
            (f"{bound.name} widget", str(bound)),
            (f"{bound.name} label", str(bound.label_tag())),
            (f"{bound.name} errors", str(bound.errors)),
        ]
    return out


class SameHtmlTests(TestCase):
    def assert_same(self, make: Callable[[], forms.BaseForm]) -> None:
        slow, fast = _renderings(make, ENGINE), _renderings(make, PYTHON)
        self.assertEqual([name for name, _html in fast], [name for name, _html in slow])
        for (name, expected), (_name, got) in zip(slow, fast, strict=True):
            with self.subTest(part=name):
                self.assertEqual(got, expected)

    def test_every_kind_of_field_unbound_and_bound_with_errors(self) -> None:
        initial = {"born": dt.date(2020, 2, 29), "count": 7, "choice": 3, "many": ["g1", 3]}
        variants: dict[str, Callable[[], forms.BaseForm]] = {
            "unbound": lambda: Everything(initial=initial),
            "bound": lambda: Everything(BOUND),
            "empty": lambda: Everything({}),
            "no ids": lambda: Everything(BOUND, auto_id=False),
            "prefixed": lambda: Everything(BOUND, prefix="m-0", label_suffix=" →"),
        }
        for variant, make in variants.items():
            with self.subTest(variant=variant):
                self.assert_same(make)

    def test_the_python_templates_are_used(self) -> None:
        form = Everything(BOUND)
        form.renderer = PYTHON
        engine = mock.patch.object(DjangoTemplates, "render", side_effect=AssertionError)
        with engine:
            for name in ("name", "search", "count", "born", "choice", "many", "notes", "hidden"):
                str(form[name].as_field_group())
        with self.assertRaises(AssertionError), engine:
            str(form["boxes"])  # a checkbox list is left to the engine

    def test_the_project_s_forms(self) -> None:
        """Every form class in oila that can be made without arguments, unbound and bound empty."""
        checked = 0
        for make in _project_forms():
            for data in (None, {}):
                with self.subTest(form=make.__qualname__, data=data):
                    self.assert_same(lambda make=make, data=data: make(data))
                    checked += 1
        self.assertGreater(checked, 20)

    def test_it_covers_the_templates_it_claims(self) -> None:
        for name in WRITTEN:
            self.assertTrue(ENGINE.get_template(name), name)


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for module_info in pkgutil.walk_packages(oila.__path__, "oila."):
        if not module_info.name.endswith("forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            if issubclass(cls, forms.BaseModelForm) and cls._meta.model is None:
                continue
            try:
                cls(None)
            except Exception:  # forms that need a user or an object: skipped
                continue
            found.append(cls)
    return found
