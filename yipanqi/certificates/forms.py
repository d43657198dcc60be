from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.certificates.models import ProxyRelation
from yipanqi.people.models import MaritalStatus


class IssueForm(forms.Form):
    children = forms.IntegerField(
        min_value=0, max_value=20, initial=0, label=_("Number of children")
    )
    long_term = forms.BooleanField(required=False, label=_("Long-term validity"))
    by_proxy = forms.BooleanField(required=False, label=_("A family member applies on her behalf"))
    proxy_name = forms.CharField(max_length=50, required=False, label=_("Family member's name"))
    proxy_relation = forms.ChoiceField(
        choices=[("", "—"), *ProxyRelation.choices], required=False, label=_("Relation to her")
    )
    proxy_interim_number = forms.CharField(
        max_length=24,
        required=False,
        label=_("Number of the residence's interim certificate of marital status"),
    )


class VerifyForm(forms.Form):
    verified_on = forms.DateField(
        label=_("Verified on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    marital_status = forms.ChoiceField(choices=MaritalStatus.choices, label=_("Marital status"))
    children = forms.IntegerField(min_value=0, max_value=20, label=_("Number of children"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class RenewForm(forms.Form):
    id_number = forms.CharField(max_length=24, label=_("ID card number (from her ID card)"))
    old_number = forms.CharField(max_length=24, label=_("Number of the old certificate"))
    long_term = forms.BooleanField(required=False, label=_("Long-term validity"))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label=_("Why is it revoked?"),
        error_messages={"required": _("Please say why the certificate is revoked.")},
    )


class DelegationForm(forms.Form):
    village_code = forms.ChoiceField(label=_("Village"))

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village_code"].choices = [(v.code, v.name) for v in villages]


class LongTermForm(forms.Form):
    allowed = forms.BooleanField(
        required=False, label=_("Our province grants long-term validity to certificates")
    )
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
