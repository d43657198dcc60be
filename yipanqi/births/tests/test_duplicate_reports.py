"""Issue 16.11 / R-STAT-5: one birth is one report, so the sex ratio counts it once, whoever
reports it and however often; twins are two births (the child of the delivery tells them apart)."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from yipanqi.births import services
from yipanqi.births.models import BirthReport
from yipanqi.births.tests.conftest import at
from yipanqi.core.errors import Rejected
from yipanqi.ledger import counters
from yipanqi.ledger.models import StatCounter

BORN = dt.date(2026, 10, 1)


def _report(woman, user, key, sex="F", order=1):
    return services.report_birth(
        services.BirthReportInput(
            mother_id=woman.pk, birth_date=BORN, child_sex=sex, birth_order=order,
            idempotency_key=key,
        ),
        acting_user=user,
        now=at(dt.date(2026, 10, 3)),
    )  # fmt: skip


def _national(metric: str) -> int:
    row = StatCounter.objects.filter(
        division_code="", metric=metric, key="", period_start=BORN.replace(day=1)
    ).first()
    return row.value if row else 0


def test_16_11_a_second_report_of_the_same_birth_is_refused_and_counted_once(woman, village_worker):
    """Given a reported birth, when another form reports the same mother, date and child
    again (even with the other sex), then it is refused in plain words, nothing is written,
    and the sex ratio counts one girl."""
    first = _report(woman, village_worker, "r1")
    for sex in ("F", "M"):
        with pytest.raises(Rejected) as refused:
            _report(woman, village_worker, f"r2-{sex}", sex=sex)
        message = refused.value.errors["birth_date"][0]
        assert "already reported" in message and "twins" in message
    assert list(BirthReport.objects.all()) == [first]
    assert (_national("birth.female"), _national("birth.male")) == (1, 0)
    assert counters.check("births").ok


def test_16_11_twins_are_two_births(woman, village_worker):
    """Given a girl reported, when her twin brother is reported as the second child of the
    delivery, then both count (one boy, one girl)."""
    _report(woman, village_worker, "t1", sex="F", order=1)
    _report(woman, village_worker, "t2", sex="M", order=2)
    assert BirthReport.objects.count() == 2
    assert (_national("birth.female"), _national("birth.male")) == (1, 1)


def test_16_11_the_database_refuses_a_second_counted_report_of_a_child(woman, village_worker):
    """The constraint backs the service's check under races: a raw second row is refused."""
    from django.db import IntegrityError, transaction

    first = _report(woman, village_worker, "c1")
    with pytest.raises(IntegrityError), transaction.atomic():
        BirthReport.objects.create(
            mother=woman, birth_date=BORN, child_sex="F", source="hospital",
            unit_id=first.unit_id, reported_by=village_worker, idempotency_key="raw",
        )  # fmt: skip


def test_16_11_the_migration_keeps_old_duplicates_but_counts_them_once(woman, village_worker):
    """Given two reports of one birth made before duplicates were refused (both counted), when
    the migration's data step runs, then both rows stay, the later one is marked a duplicate of
    the first, and the counters agree with the facts (one girl)."""
    first = _report(woman, village_worker, "m1", order=1)
    # What the old code allowed: the same girl again (the old rows all had child 1; the second
    # is made as child 2 here only to get past today's constraint).
    second = _report(woman, village_worker, "m2", order=2)
    assert _national("birth.female") == 2
    name = "0004_mark_duplicate_birth_reports"
    migration = importlib.import_module(f"yipanqi.births.migrations.{name}")
    # The models as the migration sees them (StatCounter was stats' then; it is ledger's now).
    state = MigrationLoader(connection).project_state(("births", name))
    migration.mark_duplicates(state.apps, None)
    second.refresh_from_db()
    assert (second.duplicate_of_id, second.birth_order) == (first.pk, 1)
    assert BirthReport.objects.count() == 2
    assert _national("birth.female") == 1
    assert counters.check("births").ok
