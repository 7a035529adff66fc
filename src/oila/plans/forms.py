"""Forms of the plan pages. They check and convert input; saving is always a service's job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oila.accounts.models import Organisation, User
from oila.cases.models import Case
from oila.common.dates import today
from oila.common.forms import DateInput
from oila.common.ids import uuid_or_404
from oila.plans.models import Action, Goal
from oila.plans.selectors import Suggestion


def _person_choices(people: Any) -> list[tuple[str, str]]:
    return [("", _("the whole family")), *((str(p.pk), p.full_name) for p in people)]


class SuggestionsMixin:
    """A tick box and an editable text for each suggested goal, ticked to start with."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_suggestions(self, suggestions: list[Suggestion]) -> None:
        self.suggestions = suggestions
        for i, suggestion in enumerate(suggestions):
            self.fields[f"s{i}"] = forms.BooleanField(required=False, initial=True)
            self.fields[f"s{i}_text"] = forms.CharField(
                required=False, max_length=500, initial=suggestion.text
            )

    def suggestion_rows(self) -> list[dict[str, Any]]:
        form: Any = self
        return [
            {"suggestion": s, "tick": form[f"s{i}"], "text": form[f"s{i}_text"]}
            for i, s in enumerate(self.suggestions)
        ]

    def ticked_goals(self) -> list[dict[str, Any]]:
        return [
            {
                "text": self.cleaned_data[f"s{i}_text"] or s.text,
                "item": s.item,
                "person": s.person,
            }
            for i, s in enumerate(self.suggestions)
            if self.cleaned_data.get(f"s{i}")
        ]


class PlanCreateForm(SuggestionsMixin, forms.Form):
    review_on = forms.DateField(
        label=_("Review on"),
        widget=DateInput(),
        help_text=_("When the plan will be reviewed with the family."),
    )
    goal = forms.CharField(
        label=_("Another goal"),
        required=False,
        max_length=500,
        help_text=_("Optional: a goal of your own, besides the suggested ones."),
    )

    def __init__(self, data: Any = None, *, suggestions: list[Suggestion]) -> None:
        super().__init__(data, initial={"review_on": today() + dt.timedelta(days=90)})
        self.add_suggestions(suggestions)

    def goals(self) -> list[dict[str, Any]]:
        goals = self.ticked_goals()
        if self.cleaned_data.get("goal", "").strip():
            goals.append({"text": self.cleaned_data["goal"]})
        return goals


class SuggestedGoalsForm(SuggestionsMixin, forms.Form):
    def __init__(self, data: Any = None, *, suggestions: list[Suggestion]) -> None:
        super().__init__(data)
        self.add_suggestions(suggestions)


class ReviewForm(forms.Form):
    review_on = forms.DateField(label=_("Review on"), widget=DateInput())


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=500)
    person = forms.ChoiceField(label=_("For"), required=False)

    def __init__(self, data: Any = None, *, case: Case, people: Any) -> None:
        super().__init__(data)
        self.people = {str(p.pk): p for p in people}
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = _person_choices(people)
        if case.kind == Case.Kind.CHILD and case.subject_id:
            person.initial = str(case.subject_id)

    def service_data(self) -> dict[str, Any]:
        return {
            "text": self.cleaned_data["text"],
            "person": self.people.get(self.cleaned_data.get("person") or ""),
        }


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What will be done"), max_length=500)
    responsible = forms.ChoiceField(
        label=_("Who is responsible"),
        help_text=_("A member of staff or a partner agency."),
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, data: Any = None, *, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data)
        responsible = self.fields["responsible"]
        assert isinstance(responsible, forms.ChoiceField)
        responsible.choices = [
            ("", _("Choose…")),
            (_("Staff"), choices["staff"]),
            (_("Partner agencies"), choices["organisations"]),
        ]

    def service_data(self) -> dict[str, Any]:
        kind, _sep, pk = self.cleaned_data["responsible"].partition(":")
        data = {
            "description": self.cleaned_data["description"],
            "due_on": self.cleaned_data["due_on"],
        }
        if kind == "user":
            data["responsible_user"] = User.objects.get(pk=uuid_or_404(pk))
        else:
            data["responsible_organisation"] = Organisation.objects.get(pk=uuid_or_404(pk))
        return data


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the plan")), ("reject", _("Return it, not approved"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the plan is not approved: say what must change."),
    )

    def service_data(self) -> dict[str, Any]:
        return {
            "approve": self.cleaned_data["decision"] == "approve",
            "comment": self.cleaned_data["comment"],
        }


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data: Any = None, *, goals: list[Goal]) -> None:
        super().__init__(data)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        # A transfer to another organisation has its own page on the case.
        reason.choices = [("", _("Choose…"))] + [
            (value, label)
            for value, label in Case.ClosureReason.choices
            if value != Case.ClosureReason.TRANSFERRED
        ]
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=goal.text,
                choices=[(Goal.Status.MET, _("met")), (Goal.Status.NOT_MET, _("not met"))],
                widget=forms.RadioSelect,
                initial=goal.status if goal.status != Goal.Status.OPEN else None,
                error_messages={"required": _("Mark this goal as met or not met.")},
            )

    def goal_fields(self) -> list[tuple[Goal, Any]]:
        return [(goal, self[f"goal_{goal.pk}"]) for goal in self.goals]

    def service_data(self) -> dict[str, Any]:
        return {
            "reason": self.cleaned_data["reason"],
            "note": self.cleaned_data["note"],
            "goal_statuses": {
                str(goal.pk): self.cleaned_data[f"goal_{goal.pk}"] for goal in self.goals
            },
        }
