"""`{% person_departure person %}`: the departure action on a person's page (R-REGN-6);
`{% person_link %}`: a person's name, linked only where the user may open the page."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from yipanqi.people.departures import can_record_departure
from yipanqi.people.forms import DepartureForm

register = template.Library()


@register.inclusion_tag("people/_departure.html", takes_context=True)
def person_departure(context, person):
    user = context["request"].user
    closable = [r for r in person.registrations.all() if can_record_departure(user, r)]
    return {
        "closable": closable,
        "departure_form": DepartureForm(initial={"on": timezone.localdate()}),
        "csrf_token": context.get("csrf_token"),
    }


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def person_link(context, person_id, name):
    """A person's name, linked to the person page only where the user may open it (R-ACC-2)."""
    from yipanqi.people.models import Person

    user = _user(context)
    if user is None or not Person.objects.visible_to(user).filter(pk=person_id).exists():
        return format_html("{}", name)
    return format_html('<a href="{}">{}</a>', reverse("people:person", args=[person_id]), name)
