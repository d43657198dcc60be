from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.imports import guard
from yipanqi.imports.models import ImportKind


class UploadForm(forms.Form):
    """Parses the upload; which kinds a user may import is decided by imports.services."""

    kind = forms.ChoiceField(label=_("The file contains"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        error_messages={"required": _("Please choose the file to import.")},
    )
    period = forms.CharField(
        label=_("Month reported (feeds only)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2026-04", "inputmode": "numeric"}),
    )

    # The township or village an administrator imports for (the division picker's value).
    unit = forms.CharField(label=_("Imported for"), max_length=12, required=False)

    field_order = ["kind", "unit", "file", "period"]

    def __init__(self, *args, kinds=None, too_large=False, choose_unit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_unit = choose_unit
        if not choose_unit:
            del self.fields["unit"]
        if too_large:  # the file was dropped while it arrived (imports.guard)
            self.fields["file"].error_messages["required"] = guard.too_large_message()
        if kinds is not None:
            self.fields["kind"].choices = kinds
