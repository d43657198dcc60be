"""The form of a new rule-set version (R-REG-1); the rules live in rules.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.regions.rules import deadline_kinds


class RuleSetForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"))
    checkups_min_per_year = forms.IntegerField(
        required=False, min_value=0, max_value=12, label=_("Check-ups per year, at least")
    )
    checkups_max_per_year = forms.IntegerField(
        required=False, min_value=0, max_value=12, label=_("Check-ups per year, at most")
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in deadline_kinds():
            self.fields[f"deadline_{value}"] = forms.IntegerField(
                required=False, min_value=1, max_value=120, label=label
            )

    def deadlines(self) -> dict[str, int]:
        return {
            value: self.cleaned_data[f"deadline_{value}"]
            for value in dict(deadline_kinds())
            if self.cleaned_data.get(f"deadline_{value}") is not None
        }
