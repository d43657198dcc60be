"""What is counted, defined once per fact: the SQL predicate (recount, drill-down) beside the
same predicate on one row in memory (the live delta in the changing transaction).

A *family* is a kind of row (inflow registrations, requests by receiver ...) counted at one
division field, in the month of one date field, optionally split by a key field. Its *counts*
are the metrics: each row adds 1 to every count whose predicate it meets. The two forms of each
predicate are kept side by side on purpose; `counters.check()` (tests, bench, the consistency
command) proves they agree on the data.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from yipanqi.workdays.services import local_date

# R-REGN-5: registration is "served" within 30 days of arrival.
SERVED_WITHIN_DAYS = 30


@dataclass(frozen=True)
class Count:
    metric: str
    q: Q
    test: Callable[[Any], bool]


@dataclass(frozen=True)
class Family:
    name: str
    model_label: str  # app_label.Model
    base: Q
    base_test: Callable[[Any], bool]
    division: str  # attname of the division the fact is counted at
    month_field: str  # the fact's month is this field's (local) month
    counts: tuple[Count, ...]
    key_field: str | None = None
    # SQL-only helpers the predicates refer to (e.g. the local day of a moment).
    annotations: Callable[[], dict] = field(default=dict)
    # "person" (drill-down lists persons) or "request".
    subject: str = "person"
    # The fields the in-memory predicates read, for set-based transitions (the sweep).
    reads: frozenset[str] = frozenset()

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    @property
    def metrics(self) -> list[str]:
        return [count.metric for count in self.counts]

    def month_of(self, row) -> dt.date | None:
        value = getattr(row, self.month_field)
        if value is None:
            return None
        return local_date(value).replace(day=1)

    def key_of(self, row) -> str:
        return str(getattr(row, self.key_field) or "") if self.key_field else ""

    def queryset(self):
        return self.model._default_manager.filter(self.base).alias(**self.annotations())


def _served(row) -> bool:
    return (row.received_on - row.arrival_date).days <= SERVED_WITHIN_DAYS


_SERVED_Q = Q(
    received_on__lte=ExpressionWrapper(
        F("arrival_date") + dt.timedelta(days=SERVED_WITHIN_DAYS), output_field=DateField()
    )
)

REGISTRATION_INFLOW = Family(
    name="registration_inflow",
    model_label="people.Registration",
    base=Q(kind="inflow"),
    base_test=lambda r: r.kind == "inflow",
    # The residence side registers inflow persons (R-REGN-1) and answers for them (R-STAT-2).
    division="residence_id",
    month_field="received_on",
    counts=(
        Count("reg_in.total", Q(), lambda r: True),
        # R-REGN-1: recorded within 5 working days of receipt.
        Count("reg_in.in_time", Q(recorded_in_time=True), lambda r: bool(r.recorded_in_time)),
        # R-REGN-5: registered within 30 days of arrival.
        Count("reg_in.served30", _SERVED_Q, _served),
    ),
)

REGISTRATION_OUTFLOW = Family(
    name="registration_outflow",
    model_label="people.Registration",
    base=Q(kind="outflow"),
    base_test=lambda r: r.kind == "outflow",
    division="home_id",
    month_field="received_on",
    counts=(
        Count("reg_out.total", Q(), lambda r: True),
        Count("reg_out.in_time", Q(recorded_in_time=True), lambda r: bool(r.recorded_in_time)),
    ),
)


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

FAMILIES: list[Family] = [
    REGISTRATION_INFLOW,
    REGISTRATION_OUTFLOW,
    REQUESTS_RECEIVED,
    REQUESTS_SENT,
]


def families_of(model_label: str) -> list[Family]:
    return [f for f in FAMILIES if f.model_label == model_label]


def family_of_metric(metric: str) -> Family:
    for family in FAMILIES:
        if metric in family.metrics:
            return family
    raise KeyError(metric)


def count_of(metric: str) -> Count:
    family = family_of_metric(metric)
    return next(c for c in family.counts if c.metric == metric)


def register(family: Family) -> None:
    """Add a family (a later app's facts); idempotent by name."""
    if all(f.name != family.name for f in FAMILIES):
        FAMILIES.append(family)
