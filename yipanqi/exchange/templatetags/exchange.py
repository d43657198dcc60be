"""`{% person_exchange person %}`: a person's requests and the departure action on their page."""

from django import template
from django.utils import timezone

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
