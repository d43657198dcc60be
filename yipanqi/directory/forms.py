"""Parse the directory forms; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ContactForm(forms.Form):
    unit_name = forms.CharField(
        max_length=100,
        label=_("Unit name"),
        error_messages={"required": _("Please enter the unit name.")},
    )
    contact_person = forms.CharField(
        max_length=50,
        label=_("Contact person"),
        error_messages={"required": _("Please enter the contact person.")},
    )
    title = forms.CharField(max_length=50, required=False, label=_("Title"))
    phone = forms.CharField(
        max_length=30,
        label=_("Phone"),
        error_messages={"required": _("Please enter the phone number.")},
    )
    fax = forms.CharField(max_length=30, required=False, label=_("Fax"))
    email = forms.CharField(max_length=100, required=False, label=_("Email"))
    address = forms.CharField(
        max_length=200,
        label=_("Address"),
        error_messages={"required": _("Please enter the address.")},
    )
    postcode = forms.CharField(max_length=6, required=False, label=_("Postcode"))


class SearchForm(forms.Form):
    q = forms.CharField(max_length=50, required=False, label=_("Name, place or person"))
    within = forms.RegexField(
        regex=r"^\d{2,12}$",
        max_length=12,
        required=False,
        label=_("Within division code"),
        error_messages={"invalid": _("A division code has 2, 4, 6, 9 or 12 digits.")},
    )


class PlaceForm(forms.Form):
    code = forms.RegexField(
        regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$",
        max_length=12,
        required=False,
        error_messages={"invalid": _("A division code has 2, 4, 6, 9 or 12 digits.")},
    )
