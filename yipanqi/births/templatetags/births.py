"""`{% person_births person %}`: her birth registrations, who owes the next step, births."""

from django import template
from django.utils import timezone

from yipanqi.accounts.models import Role
from yipanqi.births import selectors, services
from yipanqi.people.models import Sex

register = template.Library()


@register.inclusion_tag("births/_person.html", takes_context=True)
def person_births(context, person):
    user = context["request"].user
    today = timezone.localdate()
    registrations = selectors.registrations_of(person).order_by("-pk")[:10]
    husband_home = person.spouse.home_id if person.spouse_id else ""
    return {
        "person": person,
        "rows": [(r, selectors.next_step(r, today)) for r in registrations],
        "reports": person.birth_reports.order_by("-birth_date")[:10],
        "is_woman": person.sex == Sex.FEMALE,
        "may_apply": services.may_apply_at_residence(user, person),
        "may_home": services.may_register_at_home(user, person, husband_home),
        "may_report": user.role in (Role.VILLAGE_WORKER, Role.TOWNSHIP_OPERATOR),
    }
