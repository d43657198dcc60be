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

from django.db.models import CharField, DateField, ExpressionWrapper, F, IntegerField, Q, Value
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    Greatest,
    Least,
    TruncDate,
    TruncMonth,
)

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
    # An in-memory predicate looks up another table (a bulk load then counts the family with
    # its SQL predicate, one query, rather than one lookup per row: imports.pipeline).
    reads_other_tables: bool = False
    # A month computed from several fields: the SQL expression (selected as `month_field`, so
    # `values(month_field)` works) beside its in-memory twin on one row.
    month_expression: Callable[[], Any] | None = None
    month_in_memory: Callable[[Any], dt.date | None] | None = None
    # Rows sharing this foreign key are counted together (the first check-up of a stay's year):
    # `group_test(parent, rows)` is the in-memory twin over one group, returning the rows that
    # count, so that a new row or a changed parent can change what its siblings count.
    group_by: str = ""
    group_test: Callable[[Any, Any], list] | None = None

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
        if self.month_in_memory is not None and not hasattr(row, self.month_field):
            # A model row: the twin computes it (values() rows carry the SQL annotation).
            return self.month_in_memory(row)
        value = walk(row, self.month_field)
        if value is None:
            return None
        if self.month_is_text:
            return dt.date(int(value[:4]), int(value[5:7]), 1)
        return local_date(value).replace(day=1)

    def key_of(self, row) -> str:
        return str(getattr(row, self.key_field) or "") if self.key_field else ""

    def queryset(self):
        rows = self.model._default_manager.filter(self.base).alias(**self.annotations())
        if self.month_expression is not None:
            rows = rows.annotate(**{self.month_field: self.month_expression()})
        return rows


def walk(row, path: str):
    """row.a.b for the ORM path 'a__b' (the in-memory twin of F('a__b'))."""
    value = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _is_open(row) -> bool:
    return row.status == "active"


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
        # Still open (R-REGN-6 closes it): the sum over every month is who lives here now.
        Count("reg_in.open", Q(status="active"), _is_open),
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
        Count("reg_out.open", Q(status="active"), _is_open),
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
    reads_other_tables=True,  # the certificate of each woman
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
    # A birth counts once: a report kept as a duplicate of another does not (issue 16.11).
    base=Q(duplicate_of__isnull=True),
    base_test=lambda b: b.duplicate_of_id is None,
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
    model_label="feeds.FeedReport",
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

# --- R-STAT-1 service coverage (康检率) -----------------------------------------------------------
# A year measure over distinct stays. The denominator: inflow stays of married women aged 18–49
# (on 31 December: the age reached in the year) open on some day of the year up to the end of
# the period. The numerator: those stays with a free check-up on the free list during the stay
# in that part of the year. A stay is counted twice as a flow, where it starts counting
# (`cov.women`) and where it stops (`cov.ended`, a future month while the age limit is ahead),
# so the women of any year are a difference of two cumulative sums and no counter has to change
# when a year begins; of a stay's check-ups only the first of each year counts (`cov.checked`).

MARRIED = ("first_marriage", "remarried")  # people.models.MaritalStatus.married()
COVERAGE_AGES = (18, 49)


def coverage_window(registration) -> tuple[dt.date, dt.date] | None:
    """The first and last day on which an inflow stay counts for service coverage, or None."""
    if registration is None or registration.kind != "inflow":
        return None
    person = registration.person
    if person.sex != "F" or person.marital_status not in MARRIED:
        return None
    born = person.birth_date.year
    start = max(registration.arrival_date, dt.date(born + COVERAGE_AGES[0], 1, 1))
    end = dt.date(born + COVERAGE_AGES[1], 12, 31)
    if registration.closed_on is not None:
        end = min(end, registration.closed_on)
    return (start, end) if start <= end else None


def _year_plus(path: str, years: int):
    return F(f"{path}__year") + years


def _first_of_month(year, month_day: str):
    """The date year-month_day from a year expression, the same on SQLite and PostgreSQL."""
    text = Cast(Cast(year, IntegerField()), CharField())
    return Cast(Concat(text, Value(month_day)), output_field=DateField())


def _covered_q(to_stay: str = "") -> Q:
    """SQL twin of coverage_window(...) is not None, on the stay `to_stay` leads to."""
    stay = f"{to_stay}__" if to_stay else ""
    born = f"{stay}person__birth_date"
    return (
        Q(**{f"{stay}kind": "inflow", f"{stay}person__sex": "F"})
        & Q(**{f"{stay}person__marital_status__in": MARRIED})
        & Q(**{f"{stay}arrival_date__year__lte": _year_plus(born, COVERAGE_AGES[1])})
        & (
            Q(**{f"{stay}closed_on__isnull": True})
            | Q(
                **{
                    f"{stay}closed_on__gte": F(f"{stay}arrival_date"),
                    f"{stay}closed_on__year__gte": _year_plus(born, COVERAGE_AGES[0]),
                }
            )
        )
    )


def _counted_from():
    """SQL twin of the month of coverage_window(...)[0]."""
    start = _first_of_month(_year_plus("person__birth_date", COVERAGE_AGES[0]), "-01-01")
    return Greatest(TruncMonth("arrival_date", output_field=DateField()), start)


def _counted_until():
    """SQL twin of the month of coverage_window(...)[1]."""
    last = _first_of_month(_year_plus("person__birth_date", COVERAGE_AGES[1]), "-12-01")
    closed = TruncMonth(Coalesce("closed_on", last), output_field=DateField())
    return Least(last, closed)


def _window_month(index: int):
    def month(registration) -> dt.date | None:
        window = coverage_window(registration)
        return window[index].replace(day=1) if window else None

    return month


COVERAGE_STAYS = Family(
    name="coverage_stays",
    model_label="people.Registration",
    base=_covered_q(),
    base_test=lambda r: coverage_window(r) is not None,
    # Counted at her residence, as the check-ups that make the numerator.
    division="residence_id",
    month_field="cov_from",
    month_expression=_counted_from,
    month_in_memory=_window_month(0),
    counts=(Count("cov.women", Q(), lambda r: True),),
)

COVERAGE_STAYS_ENDED = Family(
    name="coverage_stays_ended",
    model_label="people.Registration",
    base=_covered_q(),
    base_test=lambda r: coverage_window(r) is not None,
    division="residence_id",
    month_field="cov_until",
    month_expression=_counted_until,
    month_in_memory=_window_month(1),
    counts=(Count("cov.ended", Q(), lambda r: True),),
)


def is_free_checkup(record) -> bool:
    """A check-up on the free list given with no charge (R-SVC-1: a charge makes it not free)."""
    kind = record.service_type
    return kind.category == "checkup" and bool(kind.basic) and record.amount_charged == 0


_FREE_CHECKUP_Q = Q(service_type__category="checkup", service_type__basic=True, amount_charged=0)


def first_checkups(registration, records) -> list:
    """In memory: of one stay's service records, the first free check-up of each year during
    the stay in which she counts (by date, then by record), as the SQL of COVERAGE_CHECKUPS."""
    window = coverage_window(registration)
    if window is None:
        return []
    first: dict[int, Any] = {}
    for record in sorted(records, key=lambda r: (r.given_on, r.pk)):
        if is_free_checkup(record) and window[0] <= record.given_on <= window[1]:
            first.setdefault(record.given_on.year, record)
    return list(first.values())


def _first_checkup_of_year(record) -> bool:
    from yipanqi.services.models import ServiceRecord

    siblings = ServiceRecord.objects.filter(
        registration_id=record.registration_id, given_on__year=record.given_on.year
    ).select_related("service_type")
    return any(r.pk == record.pk for r in first_checkups(record.registration, siblings))


def _first_of_year_annotation() -> dict:
    """No earlier free check-up of the same stay in the same year, after her arrival (an
    earlier one of the year is before the departure and within the age limits too)."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import ExtractYear

    from yipanqi.services.models import ServiceRecord

    earlier = ServiceRecord.objects.filter(
        _FREE_CHECKUP_Q,
        registration_id=OuterRef("registration_id"),
        given_on__year=ExtractYear(OuterRef("given_on")),
        given_on__gte=F("registration__arrival_date"),
    ).filter(
        Q(given_on__lt=OuterRef("given_on"))
        | Q(given_on=OuterRef("given_on"), pk__lt=OuterRef("pk"))
    )
    return {"cov_first_of_year": ~Exists(earlier)}


_DURING_STAY_Q = (
    Q(given_on__gte=F("registration__arrival_date"))
    & (Q(registration__closed_on__isnull=True) | Q(given_on__lte=F("registration__closed_on")))
    & Q(given_on__year__gte=_year_plus("registration__person__birth_date", COVERAGE_AGES[0]))
    & Q(given_on__year__lte=_year_plus("registration__person__birth_date", COVERAGE_AGES[1]))
)

COVERAGE_CHECKUPS = Family(
    name="coverage_checkups",
    model_label="services.ServiceRecord",
    base=_FREE_CHECKUP_Q & _covered_q("registration"),
    base_test=lambda s: is_free_checkup(s) and coverage_window(s.registration) is not None,
    # At the stay's residence, where the stay is counted in the denominator.
    division="registration__residence_id",
    month_field="given_on",
    counts=(
        Count(
            "cov.checked",
            _DURING_STAY_Q & Q(cov_first_of_year=True),
            _first_checkup_of_year,
        ),
    ),
    annotations=_first_of_year_annotation,
    person_path="registration__person",
    part_of="registration",
    group_by="registration",
    group_test=first_checkups,
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
    COVERAGE_STAYS,
    COVERAGE_STAYS_ENDED,
    COVERAGE_CHECKUPS,
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
