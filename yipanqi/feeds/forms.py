from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.feeds.models import FEED_DEPARTMENT, FeedType


class ZeroReportForm(forms.Form):
    feed_type = forms.ChoiceField(label=_("Feed"), choices=FeedType.choices)
    period = forms.CharField(
        label=_("Month"),
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "2026-04", "inputmode": "numeric"}),
        error_messages={"required": _("Please give the month, like 2026-04.")},
    )

    def __init__(self, *args, department: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if department:  # R-FEED-1: only the feeds of the feeder's own department
            self.fields["feed_type"].choices = [
                (value, label) for value, label in FeedType.choices
                if FEED_DEPARTMENT[value] == department
            ]  # fmt: skip
