from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.core.forms import text_field
from yipanqi.exchange.models import RequestStatus, RequestType


def _status_choices():
    return [
        ("awaiting", _("Awaiting an answer")),
        ("all", _("All")),
        *RequestStatus.choices,
    ]


class FilterForm(forms.Form):
    type = forms.ChoiceField(
        choices=[("", _("All types")), *RequestType.choices], required=False, label=_("Type")
    )
    status = forms.ChoiceField(choices=_status_choices, required=False, label=_("Status"))
    since = forms.DateField(required=False, label=_("Sent from"))
    until = forms.DateField(required=False, label=_("Sent until"))


class AnswerForm(forms.Form):
    """A canned answer (with a note, needed for "not as stated") or an answer in words."""

    canned = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    note = text_field(
        _("Note for the sender (needed when the facts are not as stated)"), max_length=3000
    )
    answer = text_field(_("Answer"), max_length=4000, rows=3)

    def clean(self):
        data = super().clean()
        if not data.get("canned") and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Please write the answer."))
        return data


class EscalateForm(forms.Form):
    reason = text_field(
        _("Why should the higher level step in?"),
        max_length=2000,
        required=_("Please say why the higher level should step in."),
    )


class NewRequestForm(forms.Form):
    type = forms.ChoiceField(
        choices=[
            (RequestType.VERIFICATION, RequestType.VERIFICATION.label),
            (RequestType.CO_INVESTIGATION, RequestType.CO_INVESTIGATION.label),
            (RequestType.NOTIFICATION, RequestType.NOTIFICATION.label),
        ],
        label=_("Type"),
    )
    receiver_code = forms.CharField(max_length=12, label=_("To (division code)"))
    question = forms.CharField(
        max_length=2000,
        label=_("What should they confirm?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)


class DecideForm(forms.Form):
    """R-EX-3: the higher level's decision on an escalated request."""

    decision = text_field(
        _("Decision"),
        max_length=2000,
        rows=3,
        required=_("Please write the decision, so both sides know it."),
    )
    outcome = forms.ChoiceField(
        label=_("What happens to the request"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what happens to the request.")},
    )
    working_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=60,
        initial=5,
        label=_("Working days the receiver has to answer (when sent back to it)"),
    )

    def __init__(self, *args, **kwargs):
        from yipanqi.exchange.coordination import OUTCOMES

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = list(OUTCOMES.items())


class RescheduleForm(forms.Form):
    working_days = forms.IntegerField(
        min_value=1,
        max_value=60,
        initial=5,
        label=_("New due date: working days from today"),
        error_messages={"required": _("Please give the number of working days.")},
    )
    reason = text_field(
        _("Why the receiver gets more time"),
        max_length=2000,
        required=_("Please say why the receiver gets more time."),
    )


class AssignForm(forms.Form):
    unit_code = forms.ChoiceField(
        label=_("Hand the coordination to"),
        error_messages={
            "required": _(
                "Choose one of the two sides, or a unit above one of them and below you."
            ),
            "invalid_choice": _(
                "Choose one of the two sides, or a unit above one of them and below you."
            ),
        },
    )
    note = text_field(_("Note for that unit"), max_length=2000)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_code"].choices = [("", "—"), *choices]
