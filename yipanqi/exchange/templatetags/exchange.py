"""`{% person_exchange person %}`: a person's requests on their page; `{% request_link %}`: a
link rendered only where the user may open it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from yipanqi.divisions.scope import Scope
from yipanqi.exchange.models import Request

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
    return {
        "person": person,
        "requests": requests,
        "may_ask": bool(user.jurisdiction_id) and not Scope.of(user).none,
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
