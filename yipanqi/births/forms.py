from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.births.models import Document, ReportSource
from yipanqi.core.forms import text_field
from yipanqi.people.models import Sex


class FirstChildForm(forms.Form):
    husband_name = forms.CharField(
        max_length=50,
        label=_("Husband's name"),
        error_messages={"required": _("Please enter her husband's name.")},
    )
    # Chosen with the division picker (province, city, county, township); a code also works.
    husband_home_code = forms.RegexField(
        regex=r"^\d{9}(\d{3})?$",
        label=_("Husband's home"),
        error_messages={
            "invalid": _("Please choose his home down to the township."),
            "required": _("Please choose his home down to the township."),
        },
    )
    documents = forms.MultipleChoiceField(
        choices=Document.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Documents presented"),
    )
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)


class HomeRegistrationForm(FirstChildForm):
    child_order = forms.IntegerField(
        min_value=1, max_value=20, initial=2, label=_("Which child (1 = first)")
    )


class ConfirmForm(forms.Form):
    answer = text_field(_("Answer"), max_length=4000, required=_("Please write the answer."))


class ForwardForm(forms.Form):
    opinion = text_field(
        _("Village's opinion"), max_length=1000, required=_("Please write the village's opinion.")
    )
    documents = forms.MultipleChoiceField(
        choices=Document.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Documents in the file"),
    )


class ReturnForm(forms.Form):
    missing = forms.MultipleChoiceField(
        choices=Document.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Missing documents"),
        error_messages={
            "required": _(
                "A file can only be returned for missing documents: choose which are missing."
            )
        },
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note to the family"))


class BirthReportForm(forms.Form):
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    child_sex = forms.ChoiceField(
        choices=Sex.choices, widget=forms.RadioSelect, label=_("Child's sex")
    )
    child_name = forms.CharField(max_length=50, required=False, label=_("Child's name"))
    birth_order = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, _("Single birth, or the first twin")), (2, _("Second twin")), (3, _("Third"))],
        initial=1,
        required=False,
        empty_value=1,  # not asked: a single birth
        label=_("Child of the delivery"),
    )
    source = forms.ChoiceField(
        choices=ReportSource.choices, initial=ReportSource.RESIDENCE, label=_("Reported by")
    )
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
