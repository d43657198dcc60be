from django import template

register = template.Library()


@register.filter
def drill_person(row, drill):
    """The person a drill-down row is about."""
    return drill.person_of(row)


@register.filter
def drill_day(row, drill):
    """The date that puts a drill-down row in its month."""
    return drill.day_of(row)
