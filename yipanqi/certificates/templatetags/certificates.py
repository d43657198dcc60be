"""`{% person_certificate person %}`: her certificate, its state and what is due next."""

from django import template
from django.utils import timezone

from yipanqi.certificates import selectors, services

register = template.Library()


@register.inclusion_tag("certificates/_person.html", takes_context=True)
def person_certificate(context, person):
    user = context["request"].user
    today = timezone.localdate()
    overview = selectors.certificate_overview(person, today)
    return {
        "person": person,
        "o": overview,
        "today": today,
        "may_issue": services.may_issue(user, person)
        and (overview.certificate is None or overview.state == "revoked"),
        "may_interim": overview.state != "valid"
        and services.may_issue_interim(user, overview.registration),
        "csrf_token": context.get("csrf_token"),
    }
