"""Reads for the inbox, outbox and overdue views and the API; scope comes from visible_to."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from yipanqi.divisions.scope import Scope
from yipanqi.exchange import hooks
from yipanqi.exchange.models import AWAITING_STATUSES, Request, RequestQuerySet
from yipanqi.workdays.services import working_days_left

BOXES = ("inbox", "outbox", "overdue")


@dataclass(frozen=True)
class Filters:
    type: str = ""
    status: str = ""  # a RequestStatus value, "awaiting" (default) or "all"
    since: dt.date | None = None
    until: dt.date | None = None


def list_requests(user, box: str, filters: Filters = Filters()) -> RequestQuerySet:  # noqa: B008
    """inbox: what the user's units owe; outbox: what others owe them; overdue: late in the area."""
    scope = Scope.of(user)
    if scope.none:
        return Request.objects.none()
    qs = Request.objects.visible_to(user)
    if box == "inbox":
        # R-EX-3: what the unit coordinates as the higher level has its own list, not the inbox.
        from yipanqi.exchange.coordination import coordinated_by_q

        qs = qs.inbox(scope.code).exclude(coordinated_by_q(scope.code))
    elif box == "outbox":
        qs = qs.outbox(scope.code)
    else:
        qs = qs.overdue(on=timezone.localdate())
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.status == "awaiting" or (not filters.status and box != "overdue"):
        qs = qs.filter(status__in=AWAITING_STATUSES)
    elif filters.status and filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.since:
        qs = qs.filter(created_at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(created_at__date__lte=filters.until)
    return qs.select_related("sender", "receiver").order_by("due_on", "pk")


def inbox_count(user) -> int:
    """Open items the user's units owe: the navigation badge."""
    scope = Scope.of(user)
    if scope.none:
        return 0
    return (
        Request.objects.visible_to(user)
        .inbox(scope.code)
        .filter(status__in=AWAITING_STATUSES)
        .count()
    )


def days_left(request: Request, today: dt.date | None = None) -> int | None:
    """Working days left (negative: working days overdue) while an answer is awaited."""
    if not request.is_awaiting:
        return None
    return working_days_left(request.due_on, today or timezone.localdate()).days


def lost_contact_for(user):
    """R-REGN-4: the user's outflow persons flagged as lost contact (the home side's list, read
    from the registry: people.selectors.lost_contact_for)."""
    return hooks.person_lookups().lost_contact(user)


REQUESTS = gettext_lazy("Requests")


def export_requests(user, params: dict, *, full: bool, origin=None):
    """An exchange box with its filters as an export (issue 5; written out by core.exports)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    from yipanqi.core.errors import Rejected
    from yipanqi.core.exports import Export, cell_date

    box = params.get("box") or "inbox"
    if box not in BOXES:
        raise Rejected.because(_("There is no such list."))
    filters = Filters(
        type=params.get("type", ""),
        status=params.get("status", ""),
        since=_param_date(params.get("since")),
        until=_param_date(params.get("until")),
    )
    qs = list_requests(user, box, filters).select_related("rule_set__region")
    header = [_("Number"), _("Type"), pgettext("request party", "From"),
              pgettext("request party", "To"), _("Subject"), pgettext("date", "Sent"), _("Due on"),
              _("Status"), pgettext("date", "Answered"), _("Rule set")]  # fmt: skip

    def rows():
        for r in qs.iterator(chunk_size=2000):
            yield [
                r.pk,
                r.get_type_display(),
                r.sender.path_name,
                r.receiver.path_name,
                r.subject,
                cell_date(r.created_at),
                cell_date(r.due_on),
                r.get_status_display(),
                cell_date(r.answered_at),
                r.rule_reason,
            ]

    return Export("requests", REQUESTS, header, rows(), f"requests-{box}")


def _param_date(value) -> dt.date | None:
    from django.utils.translation import gettext as _

    from yipanqi.core.errors import Rejected

    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Rejected.because(_("Please write dates like 2026-03-05.")) from None
