"""The exchange's counted facts (R-STAT-1 timeliness by receiver, R-STAT-2 escalations, the
requests each side sends), defined once (see ledger/families.py) and registered with the ledger
by ExchangeConfig.ready(); and the request transitions that change them."""

import datetime as dt

from django.db.models import F, Q
from django.db.models.functions import TruncDate

from yipanqi.core.clock import local_date
from yipanqi.ledger.counters import as_before, fact_changed, rows_stamped
from yipanqi.ledger.families import Count, Family


def _answered_day():
    return {"answered_day": TruncDate("answered_at")}


def _on_time(r) -> bool:
    return r.answered_at is not None and local_date(r.answered_at) <= r.due_on


REQUESTS_RECEIVED = Family(
    name="requests_received",
    model_label="exchange.Request",
    base=Q(),
    base_test=lambda r: True,
    # R-STAT-1 timeliness is by receiver: what the receiver owed, in the month it fell due.
    division="receiver_id",
    month_field="due_on",
    key_field="type",
    counts=(
        # Due: answered, or found unanswered past its due date by the sweep (R-EX-3).
        Count(
            "req.due",
            Q(answered_at__isnull=False) | Q(overdue_at__isnull=False),
            lambda r: r.answered_at is not None or r.overdue_at is not None,
        ),
        Count("req.answered", Q(answered_at__isnull=False), lambda r: r.answered_at is not None),
        Count(
            "req.on_time",
            Q(answered_at__isnull=False, answered_day__lte=F("due_on")),
            _on_time,
        ),
        Count("req.escalated", Q(escalated_at__isnull=False), lambda r: r.escalated_at is not None),
        # Still owed: the receiver's open items (an answer is needed before a request closes).
        Count("req.awaiting", Q(answered_at__isnull=True), lambda r: r.answered_at is None),
    ),
    annotations=_answered_day,
    subject="request",
    reads=frozenset({"receiver_id", "due_on", "type", "answered_at", "overdue_at", "escalated_at"}),
)

REQUESTS_SENT = Family(
    name="requests_sent",
    model_label="exchange.Request",
    base=Q(),
    base_test=lambda r: True,
    division="sender_id",
    month_field="created_at",
    key_field="type",
    counts=(Count("req.sent", Q(), lambda r: True),),
    subject="request",
)

FAMILIES = (REQUESTS_RECEIVED, REQUESTS_SENT)


def request_answered(request) -> int:
    """R-STAT-1 timeliness: the answer makes the request due (if the sweep had not) and on time
    or late. Called after the claim, with the refreshed row; before it, answered_at was empty."""
    return fact_changed(as_before(request, answered_at=None), request)


def request_escalated(request) -> int:
    """R-EX-3: an escalation is counted for the receiver in the month the request fell due."""
    return fact_changed(as_before(request, escalated_at=None), request)


def requests_marked_overdue(stamp: dt.datetime) -> int:
    """The sweep's set-based claim (R-EX-3): rows stamped overdue_at = stamp had none before."""
    from yipanqi.exchange.models import Request

    return rows_stamped(Request, "overdue_at", stamp)
