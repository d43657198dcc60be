"""{% export_buttons "persons" criteria %}: XLSX and CSV buttons that export the list shown."""

from django import template

register = template.Library()


@register.inclusion_tag("imports/_export_buttons.html", takes_context=True)
def export_buttons(context, what: str, params=None, **extra):
    """Filters go in a POST form, so that a searched ID number never lands in a URL or log."""
    if hasattr(params, "dict"):
        params = params.dict()
    values = {**(params or {}), **extra}
    return {
        "what": what,
        "params": {k: v for k, v in values.items() if k != "page" and v},
        "csrf_token": context.get("csrf_token"),
    }
