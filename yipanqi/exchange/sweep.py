"""The daily sweep (R-EX-3, R-REGN-4): overdue requests and lost contact, set-based, idempotent.

The conditional UPDATE claims the rows (only open rows past their due date change), stamping
them with this run's moment; the overdue events are then one INSERT ... SELECT of the rows
carrying that stamp. A second run the same day finds nothing to claim and changes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

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
    """Run every daily check for `today`; safe to repeat."""
    from yipanqi.grievances.services import escalate_overdue_complaints
    from yipanqi.people.departures import flag_lost_contact

    now = now or timezone.now()
    overdue = mark_overdue(today, now=now)
    lost = flag_lost_contact(today, now=now)
    escalated = escalate_overdue_complaints(today, now=now)  # R-GRV-1
    return SweepReport(
        today=today, overdue=overdue, lost_contact=lost, complaints_escalated=escalated
    )
