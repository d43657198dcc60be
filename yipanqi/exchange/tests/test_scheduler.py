"""R-EX-3: the sweep also runs on a schedule, as a periodic job of the one scheduler."""

import datetime as dt

import pytest
from django.utils import translation

from yipanqi.exchange import scheduler
from yipanqi.exchange.models import Request
from yipanqi.ops import schedule
from yipanqi.ops.models import RunOutcome, ScheduledRun


@pytest.mark.django_db
def test_r_ex_3_the_schedule_sweeps_again_and_again():
    """R-EX-3: each hour the scheduler sweeps once; the run records what the sweep did."""
    sweep = schedule.job("sweep")
    assert sweep is not None and sweep.run is scheduler.sweep_job
    first = dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)
    with translation.override("en"):
        schedule.tick(first)
        schedule.tick(first + dt.timedelta(minutes=30))
        schedule.tick(first + dt.timedelta(hours=1))
    runs = ScheduledRun.objects.filter(job="sweep").order_by("period_start")
    assert [run.outcome for run in runs] == [RunOutcome.SUCCEEDED] * 2
    overdue = Request.objects.filter(status="overdue").count()
    assert runs[0].summary.startswith(f"2026-12-04: {overdue} overdue")


@pytest.mark.django_db
def test_a_failed_sweep_is_recorded_and_the_schedule_goes_on(monkeypatch):
    def broken(today, now=None):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scheduler, "sweep", broken)
    first = dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)
    schedule.tick(first)
    failed = ScheduledRun.objects.get(job="sweep")
    assert failed.outcome == RunOutcome.FAILED and "database went away" in failed.summary
    monkeypatch.undo()
    schedule.tick(first + dt.timedelta(hours=1))
    assert ScheduledRun.objects.filter(job="sweep", outcome=RunOutcome.SUCCEEDED).count() == 1
