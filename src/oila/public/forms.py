"""The staff form that adds a photo to a programme's public gallery."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oila.registry.models import Person


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class PhotoForm(forms.Form):
    file = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP photo, at most 10 MB."),
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=200,
        help_text=_("Shown under the photo on the public page: no names, places or ages."),
    )
    taken_on = forms.DateField(
        label=_("Taken on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if you do not know."),
    )
    subjects = PersonChoice(
        label=_("Everyone who can be recognised in the photo"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only people whose photo consent is recorded and current are listed. Do not upload a "
            "photo in which anyone else can be recognised."
        ),
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = people  # type: ignore[attr-defined]
