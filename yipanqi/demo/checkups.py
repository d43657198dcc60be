"""Demo check-ups: a free check-up this year for most married women living away from home, so
that service coverage (R-STAT-1, 康检率) and the free-service rate show real figures in a demo.

Written once per demo database (nothing is added when service records exist), at the unit of
her residence and under her stay there, as `services.record_service` records them, then counted
set-based like the rest of the demo (`ledger.counters.recount`).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

# Of the stays that count for service coverage, this many per cent had a check-up this year.
COVERED_PERCENT = 86
PROVIDER = "社区卫生服务中心"
_BATCH = 5_000


def add_demo_checkups(*, recorded_by, today: dt.date | None = None) -> int:
    """Add the demo's check-ups; the number added (0 when the database has service records)."""
    from yipanqi.ledger.counters import recount
    from yipanqi.people.counted import COVERAGE_AGES
    from yipanqi.people.models import MaritalStatus, Registration
    from yipanqi.services.models import ServiceRecord, ServiceType

    if ServiceRecord.objects.exists():
        return 0
    checkup = (
        ServiceType.objects.filter(category="checkup", basic=True, active=True)
        .order_by("sort", "code")
        .first()
    )
    if checkup is None:
        return 0
    today = today or timezone.localdate()
    new_year = dt.date(today.year, 1, 1)
    stays = (
        Registration.objects.active()
        .filter(
            kind="inflow",
            person__sex="F",
            person__marital_status__in=MaritalStatus.married(),
            arrival_date__lte=today,
        )
        .values_list("pk", "person_id", "residence_id", "arrival_date", "person__birth_date")
        .order_by("pk")
    )
    now = timezone.now()
    added = 0
    batch: list = []
    with transaction.atomic():
        for pk, person_id, residence, arrival, born in stays.iterator(chunk_size=_BATCH):
            if pk % 100 >= COVERED_PERCENT:
                continue
            given = min(max(arrival, new_year) + dt.timedelta(days=pk % 90), today)
            if not born.year + COVERAGE_AGES[0] <= given.year <= born.year + COVERAGE_AGES[1]:
                continue
            batch.append(
                ServiceRecord(
                    person_id=person_id,
                    service_type=checkup,
                    given_on=given,
                    provider=PROVIDER,
                    unit_id=residence,
                    amount_charged=0,
                    recorded_by=recorded_by,
                    recorded_at=now,
                    registration_id=pk,
                )
            )
            if len(batch) >= _BATCH:
                ServiceRecord.objects.bulk_create(batch)
                added += len(batch)
                batch = []
        if batch:
            ServiceRecord.objects.bulk_create(batch)
            added += len(batch)
        if added:
            # R-STAT-1: the service families counted again from the rows, set-based.
            recount("basic_services")
            recount("coverage")
    return added
