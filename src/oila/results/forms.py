"""Forms of the results pages. They check and convert input; the services decide and save."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from oila.results.models import Indicator, Outcome, Output, Target

# The shape of a definition is code, not prose: only the sentence around it is translated.
DEFINITION_SHAPE = (
    '{"numerator": {"source": …, "subject": "person" | "household" | "record", '
    '"period": "within" | "to_date" | "active" | "any", "date": …, '
    '"conditions": [{"field": …, "op": …, "value": …}]}, "denominator": {…}, '
    '"age_bands": "standard" | "youth"}'
)
DEFINITION_HELP = format_lazy(
    "{} {}",
    _(
        'A JSON object of this shape ("date" is one of the source\'s dates; a denominator only '
        "for percentages). The sources and their fields are listed below the form."
    ),
    DEFINITION_SHAPE,
)


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["code", "title", "order"]

    def _post_clean(self) -> None:
        pass  # the service validates and saves


class OutputForm(forms.ModelForm):
    class Meta:
        model = Output
        fields = ["code", "title", "order"]

    def _post_clean(self) -> None:
        pass  # the service validates and saves


class DefinitionField(forms.CharField):
    """The computation as JSON text: a syntax error is reported here, the rest by the service."""

    widget = forms.Textarea(attrs={"rows": 12, "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return {}
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s): %(problem)s."),
                params={"line": exc.lineno, "column": exc.colno, "problem": exc.msg},
            ) from exc


class IndicatorForm(forms.ModelForm):
    definition = DefinitionField(label=_("Computation"), help_text=DEFINITION_HELP)

    class Meta:
        model = Indicator
        fields = [
            "outcome",
            "output",
            "code",
            "name",
            "definition_text",
            "unit",
            "baseline_value",
            "baseline_year",
            "definition",
            "order",
        ]
        help_texts = {
            "unit": _("A count of people, households or records, or a percentage."),
            "baseline_value": _(
                "The value before the programme started (or at its baseline survey)."
            ),
            "baseline_year": _("The year the baseline was measured."),
        }

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = Outcome.objects.filter(programme=programme)
        self.fields["output"].queryset = Output.objects.filter(
            outcome__programme=programme
        ).select_related("outcome")

    def _post_clean(self) -> None:
        # The service validates the whole indicator (whitelist, units, denominator); a ModelForm
        # would otherwise run the model's own checks on an instance it is not going to save.
        pass

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["year", "quarter", "value", "note"]
        help_texts = {
            "note": _(
                "e.g. where the target comes from (the demo targets say they are demo values)."
            ),
        }

    def _post_clean(self) -> None:
        pass  # the service sets or replaces the target for that year and quarter
