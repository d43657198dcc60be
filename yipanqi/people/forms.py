from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.people.departures import DEPARTURE_REASONS
from yipanqi.people.models import MaritalStatus, StayReason


class RegistrationForm(forms.Form):
    """Parses the registration form; the rules themselves live in people.services."""

    id_number = forms.CharField(
        max_length=40, error_messages={"required": _("Please enter the ID number.")}
    )
    name = forms.CharField(
        max_length=50, error_messages={"required": _("Please enter the person's name.")}
    )
    phone = forms.CharField(max_length=30, required=False)
    home_code = forms.CharField(
        max_length=12, error_messages={"required": _("Please choose the home place.")}
    )
    residence_code = forms.CharField(
        max_length=12, error_messages={"required": _("Please choose the place of residence.")}
    )
    dwelling_code = forms.CharField(max_length=12, required=False)
    arrival_date = forms.DateField(
        error_messages={
            "required": _("Please enter the date."),
            "invalid": _("Please enter a date like 2026-03-05."),
        }
    )
    reason = forms.ChoiceField(choices=StayReason.choices, initial=StayReason.WORK)
    marital_status = forms.ChoiceField(
        choices=MaritalStatus.choices, initial=MaritalStatus.FIRST_MARRIAGE
    )
    received_on = forms.DateField(
        required=False, error_messages={"invalid": _("Please enter a date like 2026-03-05.")}
    )
    # R-JUR-3: registering a husband from his wife's record links the two.
    spouse_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PersonSearchForm(forms.Form):
    """The GET search: every filter here goes in the URL, so none is an ID number (P5)."""

    name = forms.CharField(max_length=50, required=False)
    within = forms.RegexField(
        regex=r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$",
        max_length=12,
        required=False,
        error_messages={"invalid": _("A division code has 2, 4, 6, 9 or 12 digits.")},
    )
    kind = forms.ChoiceField(
        choices=[("", ""), ("inflow", "inflow"), ("outflow", "outflow")],
        required=False,
        error_messages={"invalid_choice": _("Please choose inflow, outflow or any.")},
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class IdLookupForm(forms.Form):
    """The ID lookup: posted, never in a URL (P5)."""

    id_number = forms.CharField(
        max_length=40, error_messages={"required": _("Please enter the ID number.")}
    )

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip()


class ContactForm(forms.Form):
    on = forms.DateField()
    note = forms.CharField(max_length=200, required=False)


class DepartureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why did the person leave?"))
    on = forms.DateField(
        label=_("Date of departure"),
        error_messages={"invalid": _("Please enter a date like 2026-03-05.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(r.value, r.label) for r in DEPARTURE_REASONS]
