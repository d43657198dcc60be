"""`{% person_exchange person %}`: a person's requests and the departure action on their page;
`{% request_link %}` and `{% person_link %}`: links rendered only where the user may open them."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from yipanqi.exchange.forms import DepartureForm
from yipanqi.exchange.models import Request
from yipanqi.people.departures import can_record_departure

register = template.Library()


@register.inclusion_tag("exchange/_person.html", takes_context=True)
def person_exchange(context, person):
    user = context["request"].user
    requests = (
        Request.objects.visible_to(user)
        .filter(persons=person)
        .select_related("sender", "receiver")
        .order_by("-created_at")[:20]
    )
    closable = [r for r in person.registrations.all() if can_record_departure(user, r)]
    return {
        "person": person,
        "requests": requests,
        "closable": closable,
        "departure_form": DepartureForm(initial={"on": timezone.localdate()}),
        "may_ask": bool(user.jurisdiction_id) and user.scope_code is not None,
        "csrf_token": context.get("csrf_token"),
    }


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def request_link(context, request_id, label="", css_class=""):
    """A link to an exchange request, rendered only for a user who may open it; for anyone
    else its label as plain text, never a link that answers 404 (issue 12.5)."""
    text = label or f"#{request_id}"
    if not request_id:
        return ""
    user = _user(context)
    if user is None or not Request.objects.visible_to(user).filter(pk=request_id).exists():
        return format_html('<span class="muted">{}</span>', text)
    attrs = format_html(' class="{}"', css_class) if css_class else ""
    return format_html(
        '<a href="{}"{}>{}</a>', reverse("exchange:detail", args=[request_id]), attrs, text
    )


@register.simple_tag(takes_context=True)
def person_link(context, person_id, name):
    """A person's name, linked to the person page only where the user may open it (R-ACC-2)."""
    from yipanqi.people.models import Person

    user = _user(context)
    if user is None or not Person.objects.visible_to(user).filter(pk=person_id).exists():
        return format_html("{}", name)
    return format_html('<a href="{}">{}</a>', reverse("web:person", args=[person_id]), name)
