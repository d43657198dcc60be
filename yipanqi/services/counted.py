"""The services' counted facts (R-SVC-1 basic and free services; R-STAT-1 service coverage's
numerator, the first free check-up of each year of a stay), defined once (see
ledger/families.py) and registered with the ledger by ServicesConfig.ready()."""

from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import ExtractYear

from yipanqi.ledger.families import Count, Family
from yipanqi.people.counted import COVERAGE_AGES, coverage_window, covered_q, year_plus

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
    & Q(given_on__year__gte=year_plus("registration__person__birth_date", COVERAGE_AGES[0]))
    & Q(given_on__year__lte=year_plus("registration__person__birth_date", COVERAGE_AGES[1]))
)

COVERAGE_CHECKUPS = Family(
    name="coverage_checkups",
    model_label="services.ServiceRecord",
    base=_FREE_CHECKUP_Q & covered_q("registration"),
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

FAMILIES = (BASIC_SERVICES, COVERAGE_CHECKUPS)
