"""`{% person_services person %}`: services given, check-ups against the region's parameters,
service reports and the couple's benefits on the person page (R-SVC-1..5)."""

from django import template
from django.utils import timezone

from yipanqi.services import services
from yipanqi.services.models import ServiceRecord, ServiceReport

register = template.Library()


@register.inclusion_tag("services/_person.html", takes_context=True)
def person_services(context, person):
    user = context["request"].user
    year = timezone.localdate().year
    records = (
        ServiceRecord.objects.visible_to(user)
        .filter(person=person)
        .select_related("service_type", "unit", "complaint")[:30]
    )
    frequency = None
    if person.residence_id:
        frequency = services.checkup_frequency(person, year, person.residence_id)
    return {
        "person": person,
        "records": records,
        "violations": sum(1 for r in records if r.charged_violation),
        "frequency": frequency,
        "year": year,
        "reports": ServiceReport.objects.visible_to(user)
        .filter(person=person)
        .select_related("request", "receiver")[:10],
        "benefits": services.couple_benefits(user, person),
        "may_record": services.may_record_services(user, person),
        "may_benefit": services.may_record_benefits(user, person),
    }
