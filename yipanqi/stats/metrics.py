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
    # The month field holds text 'YYYY-MM' (a reporting month), not a date.
    month_is_text: bool = False
    # From a row to the person it is about (drill-down scope, R-ACC-2).
    person_path: str = "person"
    # From a row to the row it is a part of in another family (a verification is part of an
    # inflow registration), for listing the gap between a numerator and its denominator.
    part_of: str = ""

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    @property
    def metrics(self) -> list[str]:
        return [count.metric for count in self.counts]

    def division_of(self, row) -> str | None:
        return walk(row, self.division)

    def month_of(self, row) -> dt.date | None:
        value = walk(row, self.month_field)
        if value is None:
            return None
        if self.month_is_text:
            return dt.date(int(value[:4]), int(value[5:7]), 1)
        return local_date(value).replace(day=1)

    def key_of(self, row) -> str:
        return str(getattr(row, self.key_field) or "") if self.key_field else ""

    def queryset(self):
        return self.model._default_manager.filter(self.base).alias(**self.annotations())


def walk(row, path: str):
    """row.a.b for the ORM path 'a__b' (the in-memory twin of F('a__b'))."""
    value = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


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


def _is_woman(registration) -> bool:
    return registration.person.sex == "F"


INFLOW_WOMEN = Family(
    name="inflow_women",
    model_label="people.Registration",
    base=Q(kind="inflow", person__sex="F"),
    base_test=lambda r: r.kind == "inflow" and _is_woman(r),
    # R-CERT-3: the 30 days run from arrival, so the month is the month of arrival.
    division="residence_id",
    month_field="arrival_date",
    counts=(Count("reg_in.women", Q(), lambda r: True),),
)


def _has_valid_certificate(registration) -> bool:
    from yipanqi.certificates.models import Certificate, CertificateStatus

    return Certificate.objects.filter(
        person_id=registration.person_id, status=CertificateStatus.VALID
    ).exists()


def _valid_certificate_q() -> Q:
    from django.db.models import Exists, OuterRef

    from yipanqi.certificates.models import Certificate, CertificateStatus

    return Q(
        Exists(
            Certificate.objects.filter(
                person_id=OuterRef("person_id"), status=CertificateStatus.VALID
            )
        )
    )


OUTFLOW_WOMEN = Family(
    name="outflow_women",
    model_label="people.Registration",
    base=Q(kind="outflow", person__sex="F"),
    base_test=lambda r: r.kind == "outflow" and _is_woman(r),
    # R-CERT-1: the home side issues, before or after she leaves: month of departure.
    division="home_id",
    month_field="arrival_date",
    counts=(
        Count("reg_out.women", Q(), lambda r: True),
        # A certificate that is neither revoked nor replaced by its renewal (R-CERT-2).
        Count("reg_out.women_certified", Q(has_valid_certificate=True), _has_valid_certificate),
    ),
    annotations=lambda: {"has_valid_certificate": _valid_certificate_q()},
)

ARRIVAL_VERIFICATIONS = Family(
    name="arrival_verifications",
    model_label="certificates.Verification",
    base=Q(kind="arrival", registration__kind="inflow", registration__person__sex="F"),
    base_test=lambda v: (
        v.kind == "arrival" and v.registration.kind == "inflow" and _is_woman(v.registration)
    ),
    # Counted where and when her stay is counted (INFLOW_WOMEN), so it is a part of it.
    division="registration__residence_id",
    month_field="registration__arrival_date",
    counts=(
        # R-CERT-3: verified within 30 days of arrival.
        Count("ver.arrival_on_time", Q(late=False), lambda v: not v.late),
        Count("ver.arrival_late", Q(late=True), lambda v: bool(v.late)),
    ),
    person_path="registration__person",
    part_of="registration",
)

BIRTHS = Family(
    name="births",
    model_label="births.BirthReport",
    base=Q(),
    base_test=lambda b: True,
    # R-STAT-5: where the birth happened, in the month of birth.
    division="unit_id",
    month_field="birth_date",
    counts=(
        Count("birth.male", Q(child_sex="M"), lambda b: b.child_sex == "M"),
        Count("birth.female", Q(child_sex="F"), lambda b: b.child_sex == "F"),
    ),
    person_path="mother",
)

BASIC_SERVICES = Family(
    name="basic_services",
    model_label="services.ServiceRecord",
    base=Q(service_type__basic=True),
    base_test=lambda s: bool(s.service_type.basic),
    # R-SVC-1: the residence unit that gave (and recorded) the service.
    division="unit_id",
    month_field="given_on",
    counts=(
        Count("svc.basic", Q(), lambda s: True),
        Count("svc.free", Q(charged_violation=False), lambda s: not s.charged_violation),
    ),
)

COMPLAINTS = Family(
    name="complaints",
    model_label="grievances.Complaint",
    base=Q(),
    base_test=lambda c: True,
    # R-GRV-1: counted against the jurisdiction that answers for it, by category (R-STAT-2).
    division="assigned_to_id",
    month_field="received_at",
    key_field="category",
    counts=(Count("grv.received", Q(), lambda c: True),),
)

FEED_REPORTS = Family(
    name="feed_reports",
    model_label="imports.FeedReport",
    base=Q(),
    base_test=lambda f: True,
    # R-FEED-1: the receiving jurisdiction, the month reported on, split by department.
    division="unit_id",
    month_field="period",
    month_is_text=True,
    key_field="department",
    counts=(
        Count("feed.reports", Q(), lambda f: True),
        Count("feed.on_time", Q(on_time=True), lambda f: bool(f.on_time)),
        Count("feed.zero", Q(zero_report=True), lambda f: bool(f.zero_report)),
    ),
    subject="feed",
)

FAMILIES: list[Family] = [
    REGISTRATION_INFLOW,
    REGISTRATION_OUTFLOW,
    REQUESTS_RECEIVED,
    REQUESTS_SENT,
    INFLOW_WOMEN,
    OUTFLOW_WOMEN,
    ARRIVAL_VERIFICATIONS,
    BIRTHS,
    BASIC_SERVICES,
    COMPLAINTS,
    FEED_REPORTS,
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
