"""Parse the complaint forms; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.core.forms import text_field
from yipanqi.grievances.models import Category, Channel
from yipanqi.grievances.selectors import VIEWS


class ComplaintForm(forms.Form):
    """The citizen's form (R-GRV-1, R-ACC-3); staff use StaffComplaintForm."""

    category = forms.ChoiceField(
        choices=[("", _("Choose…")), *Category.choices],
        label=_("What is the complaint about?"),
        error_messages={"required": _("Please choose what the complaint is about.")},
    )
    place_code = forms.CharField(
        max_length=12,
        label=_("Where did it happen?"),
        error_messages={"required": _("Please choose the place the complaint is about.")},
    )
    description = text_field(
        _("What happened?"),
        max_length=4000,
        rows=5,
        required=_("Please describe what happened in at least 10 characters."),
    )
    complainant_name = forms.CharField(
        max_length=50, required=False, label=_("Your name (optional)")
    )
    contact = forms.CharField(
        max_length=30,
        required=False,
        label=_("Your phone (optional, so that the office can call you back)"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # A honeypot: hidden from people by CSS, filled in by form-filling robots.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def is_robot(self) -> bool:
        return bool(self.is_bound and self.data.get("website"))

    def complaint_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("website", None)
        data.pop("channel", None)
        return data


class StaffComplaintForm(ComplaintForm):
    channel = forms.ChoiceField(
        choices=[(Channel.STAFF, Channel.STAFF.label), (Channel.HOTLINE, Channel.HOTLINE.label)],
        label=_("Received through"),
    )
    complainant_name = forms.CharField(
        max_length=50, required=False, label=_("Complainant (optional)")
    )
    contact = forms.CharField(
        max_length=30, required=False, label=_("Complainant's phone (optional)")
    )


class LookupForm(forms.Form):
    reference = forms.CharField(
        max_length=20,
        label=_("Reference number"),
        error_messages={"required": _("Please enter the reference number.")},
    )
    secret = forms.CharField(
        max_length=20,
        label=_("Access code"),
        error_messages={"required": _("Please enter the access code you were given.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AnswerForm(forms.Form):
    answer = text_field(
        _("Answer to the complainant"),
        max_length=4000,
        rows=4,
        required=_("Please write the answer."),
    )


class FilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=list(
            zip(
                VIEWS,
                [_("Open"), _("Overdue"), pgettext_lazy("status", "Answered"), _("All")],
                strict=True,
            )
        ),
        required=False,
        label=_("Show"),
    )
    category = forms.ChoiceField(
        choices=[("", _("All categories")), *Category.choices], required=False, label=_("Category")
    )


class TransferForm(forms.Form):
    to_code = forms.CharField(
        max_length=12,
        label=_("Transfer to"),
        error_messages={"required": _("Please choose the unit to transfer the complaint to.")},
    )
    reason = text_field(
        _("Why it goes to that unit"),
        max_length=500,
        required=_("Please say in a few words why it goes to that unit."),
    )


class EscalateForm(forms.Form):
    reason = text_field(_("Note for the level above (optional)"), max_length=500)
