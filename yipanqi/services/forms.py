"""Parse the forms of the services pages; the rules live in services.py."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.services.models import BenefitKind, ServiceType, SupplyPointKind

DATE_ERRORS = {
    "required": _("Please enter the date."),
    "invalid": _("Please enter a date like 2026-03-05."),
}


def _service_choices():
    return [
        (t.code, t.label + ("" if t.basic else " *"))
        for t in ServiceType.objects.filter(active=True)
    ]


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(choices=_service_choices, label=_("Service"))
    given_on = forms.DateField(
        label=_("Date given"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    provider = forms.CharField(
        max_length=100,
        label=_("Provider"),
        error_messages={"required": _("Please enter who gave the service.")},
    )
    amount_charged = forms.DecimalField(
        min_value=0,
        max_digits=8,
        decimal_places=2,
        initial=0,
        label=_("Amount charged (yuan)"),
        error_messages={"invalid": _("Please enter an amount in yuan, like 0 or 35.50.")},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class ReportForm(forms.Form):
    period_from = forms.DateField(
        label=_("Period from"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period_to = forms.DateField(
        label=_("Period to"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    contraception = forms.CharField(max_length=100, required=False, label=_("Contraceptive method"))
    remarks = forms.CharField(
        max_length=500, required=False, label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(max_length=60, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class BenefitForm(forms.Form):
    kind = forms.ChoiceField(choices=BenefitKind.choices, label=_("Kind"))
    issued_on = forms.DateField(
        label=_("Issued on"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    number = forms.CharField(max_length=40, required=False, label=_("Certificate number"))
    year = forms.IntegerField(
        required=False, min_value=1980, max_value=2100, label=_("Reward for the year")
    )
    amount = forms.DecimalField(
        required=False, min_value=0, max_digits=9, decimal_places=2, label=_("Amount (yuan)")
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class SupplyPointForm(forms.Form):
    division_code = forms.ChoiceField(label=_("Village or township"))
    kind = forms.ChoiceField(choices=SupplyPointKind.choices, label=_("Kind"))
    name = forms.CharField(
        max_length=100,
        label=pgettext_lazy("thing", "Name"),
        error_messages={"required": _("Please enter the name.")},
    )
    address = forms.CharField(
        max_length=200,
        label=_("Address"),
        error_messages={"required": _("Please enter the address.")},
    )
    hours = forms.CharField(
        max_length=100,
        label=_("Opening hours"),
        error_messages={
            "required": _("Please enter the opening hours, e.g. Mon–Fri 8:30–17:30 or 24 hours.")
        },
    )
    phone = forms.CharField(max_length=30, required=False, label=_("Phone"))
    active = forms.BooleanField(required=False, initial=True, label=_("In service"))

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = [(d.code, d.name) for d in divisions]
