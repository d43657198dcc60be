"""Form fields the casework pages share."""

from django import forms


def text_field(label, *, max_length: int, rows: int = 2, required=None) -> forms.CharField:
    """Words typed on a small textarea; `required` is the message when it is left empty (None:
    the field may stay empty)."""
    widget = forms.Textarea(attrs={"rows": rows})
    if required is None:
        return forms.CharField(max_length=max_length, required=False, label=label, widget=widget)
    return forms.CharField(
        max_length=max_length, label=label, widget=widget, error_messages={"required": required}
    )
