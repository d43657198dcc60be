"""The daily sweep (R-EX-3): overdue requests, set-based and idempotent, then the daily checks the
domains registered (lost contact R-REGN-4, overdue complaints R-GRV-1; hooks.py).

The conditional UPDATE claims the rows (only open rows past their due date change), stamping
them with this run's moment; the overdue events are then one INSERT ... SELECT of the rows
carrying that stamp. A second run the same day finds nothing to claim and changes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from yipanqi.exchange import hooks
from yipanqi.exchange.counted import requests_marked_overdue
from yipanqi.exchange.models import OPEN_STATUSES, Request, RequestEvent, RequestStatus


@dataclass(frozen=True)
class SweepReport:
    today: dt.date
    overdue: int
    lost_contact: int
    complaints_escalated: int = 0


def mark_overdue(today: dt.date, *, now: dt.datetime | None = None) -> int:
    """R-EX-3: open requests due before today become overdue, with one event each."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Request.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).update(
            status=RequestStatus.OVERDUE, overdue_at=now
        )
        if claimed:
            _insert_overdue_events(now)
            requests_marked_overdue(now)  # R-STAT-1: due now, in this transaction
    return claimed


def _insert_overdue_events(now: dt.datetime) -> None:
    events, requests = RequestEvent._meta.db_table, Request._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (request_id, at, type, actor_id, unit_id, data) "  # noqa: S608
            f"SELECT id, %s, %s, NULL, NULL, '{{}}' FROM {requests} "
            "WHERE overdue_at = %s AND status = %s",
            [stamp, "overdue", stamp, RequestStatus.OVERDUE],
        )


def sweep(today: dt.date, *, now: dt.datetime | None = None) -> SweepReport:
    """Run every daily check for `today`: the overdue requests, then each step the domains
    registered (hooks.register_sweep_step: lost contact, R-REGN-4; complaints, R-GRV-1); safe to
    repeat."""
    now = now or timezone.now()
    overdue = mark_overdue(today, now=now)
    counts = hooks.sweep_day(today, now=now)
    return SweepReport(
        today=today,
        overdue=overdue,
        lost_contact=counts.get("lost_contact", 0),
        complaints_escalated=counts.get("complaints_escalated", 0),
    )
