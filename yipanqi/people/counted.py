"""The registry's counted facts (R-STAT-1): registrations on both sides, inflow women and the
stays of service coverage, each defined once (the SQL predicate beside the same one in memory,
see ledger/families.py); registered with the ledger by PeopleConfig.ready().

Also the registry's own transitions of a counted fact: `person_changed` and
`registration_closed`, called in the changing transaction."""

import datetime as dt

from django.db.models import CharField, DateField, ExpressionWrapper, F, IntegerField, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Least, TruncMonth

from yipanqi.ledger.counters import as_before, fact_changed
from yipanqi.ledger.families import Count, Family

# R-REGN-5: registration is "served" within 30 days of arrival.
SERVED_WITHIN_DAYS = 30


def _is_open(row) -> bool:
    return row.status == "active"


def _served(row) -> bool:
    return (row.received_on - row.arrival_date).days <= SERVED_WITHIN_DAYS


_SERVED_Q = Q(
    received_on__lte=ExpressionWrapper(
        F("arrival_date") + dt.timedelta(days=SERVED_WITHIN_DAYS), output_field=DateField()
    )
)


def _registrations(kind: str, prefix: str, division: str, *, served: bool) -> Family:
    """One side's registrations, counted under `prefix`: all, recorded in time, (registered
    within 30 days of arrival,) still open."""
    return Family(
        name=f"registration_{kind}",
        model_label="people.Registration",
        base=Q(kind=kind),
        base_test=lambda r: r.kind == kind,
        division=division,
        month_field="received_on",
        counts=(
            Count(f"{prefix}.total", Q(), lambda r: True),
            # R-REGN-1: recorded within 5 working days of receipt.
            Count(
                f"{prefix}.in_time", Q(recorded_in_time=True), lambda r: bool(r.recorded_in_time)
            ),
            # R-REGN-5: registered within 30 days of arrival.
            *([Count(f"{prefix}.served30", _SERVED_Q, _served)] if served else []),
            # Still open (R-REGN-6 closes it): the sum over every month is who lives here now.
            Count(f"{prefix}.open", Q(status="active"), _is_open),
        ),
    )


# The residence side registers inflow persons (R-REGN-1) and answers for them (R-STAT-2).
REGISTRATION_INFLOW = _registrations("inflow", "reg_in", "residence_id", served=True)
REGISTRATION_OUTFLOW = _registrations("outflow", "reg_out", "home_id", served=False)


def is_woman(registration) -> bool:
    return registration.person.sex == "F"


INFLOW_WOMEN = Family(
    name="inflow_women",
    model_label="people.Registration",
    base=Q(kind="inflow", person__sex="F"),
    base_test=lambda r: r.kind == "inflow" and is_woman(r),
    # R-CERT-3: the 30 days run from arrival, so the month is the month of arrival.
    division="residence_id",
    month_field="arrival_date",
    counts=(Count("reg_in.women", Q(), lambda r: True),),
)

# --- R-STAT-1 service coverage (康检率) -----------------------------------------------------------
# A year measure over distinct stays. The denominator: inflow stays of married women aged 18–49
# (on 31 December: the age reached in the year) open on some day of the year up to the end of
# the period. The numerator (services.counted): those stays with a free check-up on the free
# list during the stay in that part of the year. A stay is counted twice as a flow, where it
# starts counting (`cov.women`) and where it stops (`cov.ended`, a future month while the age
# limit is ahead), so the women of any year are a difference of two cumulative sums and no
# counter has to change when a year begins.

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


def year_plus(path: str, years: int):
    return F(f"{path}__year") + years


def _first_of_month(year, month_day: str):
    """The date year-month_day from a year expression, the same on SQLite and PostgreSQL."""
    text = Cast(Cast(year, IntegerField()), CharField())
    return Cast(Concat(text, Value(month_day)), output_field=DateField())


def covered_q(to_stay: str = "") -> Q:
    """SQL twin of coverage_window(...) is not None, on the stay `to_stay` leads to."""
    stay = f"{to_stay}__" if to_stay else ""
    born = f"{stay}person__birth_date"
    return (
        Q(**{f"{stay}kind": "inflow", f"{stay}person__sex": "F"})
        & Q(**{f"{stay}person__marital_status__in": MARRIED})
        & Q(**{f"{stay}arrival_date__year__lte": year_plus(born, COVERAGE_AGES[1])})
        & (
            Q(**{f"{stay}closed_on__isnull": True})
            | Q(
                **{
                    f"{stay}closed_on__gte": F(f"{stay}arrival_date"),
                    f"{stay}closed_on__year__gte": year_plus(born, COVERAGE_AGES[0]),
                }
            )
        )
    )


def _counted_from():
    """SQL twin of the month of coverage_window(...)[0]."""
    start = _first_of_month(year_plus("person__birth_date", COVERAGE_AGES[0]), "-01-01")
    return Greatest(TruncMonth("arrival_date", output_field=DateField()), start)


def _counted_until():
    """SQL twin of the month of coverage_window(...)[1]."""
    last = _first_of_month(year_plus("person__birth_date", COVERAGE_AGES[1]), "-12-01")
    closed = TruncMonth(Coalesce("closed_on", last), output_field=DateField())
    return Least(last, closed)


def _window_month(index: int):
    def month(registration) -> dt.date | None:
        window = coverage_window(registration)
        return window[index].replace(day=1) if window else None

    return month


def _coverage_stays(name: str, month_field: str, month_expression, index: int, count: str):
    """The coverage stays, each counted in the month its coverage_window(...)[index] falls in."""
    return Family(
        name=name,
        model_label="people.Registration",
        base=covered_q(),
        base_test=lambda r: coverage_window(r) is not None,
        # Counted at her residence, as the check-ups that make the numerator.
        division="residence_id",
        month_field=month_field,
        month_expression=month_expression,
        month_in_memory=_window_month(index),
        counts=(Count(count, Q(), lambda r: True),),
    )


COVERAGE_STAYS = _coverage_stays("coverage_stays", "cov_from", _counted_from, 0, "cov.women")
COVERAGE_STAYS_ENDED = _coverage_stays(
    "coverage_stays_ended", "cov_until", _counted_until, 1, "cov.ended"
)

FAMILIES = (
    REGISTRATION_INFLOW,
    REGISTRATION_OUTFLOW,
    INFLOW_WOMEN,
    COVERAGE_STAYS,
    COVERAGE_STAYS_ENDED,
)


def person_changed(before, after) -> int:
    """A person's counted fields changed (R-STAT-1 service coverage: her marital status):
    `before` is an in-memory copy of the person as counted, `after` the saved person. Applies
    the difference to every family of her registrations and the rows grouped under them."""
    from yipanqi.people.models import Registration

    total = 0
    for registration in Registration.objects.filter(person_id=after.pk):
        registration.person = after
        total += fact_changed(as_before(registration, person=before), registration)
    return total


def registration_closed(registration) -> int:
    """R-REGN-6: a registration was closed (status, closed_on, close_reason saved); it counted
    as open until now (R-STAT-1 service coverage: her stay stops counting after closed_on)."""
    from yipanqi.people.models import RegistrationStatus

    before = as_before(
        registration, status=RegistrationStatus.ACTIVE, closed_on=None, close_reason=""
    )
    return fact_changed(before, registration)
