"""Issue 14.3: periodic work runs exactly once per period across any number of schedulers,
catches up after downtime, and shows its last runs and failures to the system administrator."""

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from conftest import make_user
from yipanqi.ops import schedule
from yipanqi.ops.models import RunOutcome, ScheduledRun

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def only(monkeypatch):
    """Replace the registered jobs with the given ones for one test."""

    def _only(*jobs):
        monkeypatch.setattr(schedule, "_JOBS", {job.name: job for job in jobs})

    return _only


def counting_job(name="count", every=HOUR):
    calls = []

    def run(now):
        calls.append(now)
        return f"run {len(calls)}"

    return schedule.Job(name=name, label=name, every=every, run=run), calls


def test_periods_are_aligned_to_the_epoch_so_every_node_agrees():
    moment = dt.datetime(2026, 12, 4, 18, 42, 17, tzinfo=UTC)
    assert schedule.period_start(moment, HOUR) == dt.datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    day = dt.timedelta(days=1)
    assert schedule.period_start(moment, day) == dt.datetime(2026, 12, 4, tzinfo=UTC)
    with pytest.raises(ValueError, match="once a minute"):
        schedule.register("fast", label="fast", every=dt.timedelta(seconds=5), run=print)


@pytest.mark.django_db
def test_a_job_runs_once_per_period_however_many_schedulers_tick(only):
    job, calls = counting_job()
    only(job)
    now = dt.datetime(2026, 12, 4, 9, 5, tzinfo=UTC)
    first = schedule.tick(now, node="node-a:1")
    assert [run.outcome for run in first] == [RunOutcome.SUCCEEDED]
    # The other nodes, later in the same hour: nothing to do.
    assert schedule.tick(now + dt.timedelta(minutes=20), node="node-b:2") == []
    assert schedule.tick(now + dt.timedelta(minutes=54), node="node-a:1") == []
    assert len(calls) == 1
    run = ScheduledRun.objects.get()
    assert run.node == "node-a:1" and run.summary == "run 1" and run.finished_at is not None
    # The next hour runs again.
    assert len(schedule.tick(now + HOUR, node="node-b:2")) == 1
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_run_a_period_exactly_once(only):
    """Eight schedulers tick at the same moment, each on its own database connection: the
    unique (job, period) row lets exactly one of them run the job."""
    job, calls = counting_job()
    only(job)
    now = dt.datetime(2026, 12, 4, 10, 0, 30, tzinfo=UTC)

    def tick(n):
        try:
            return len(schedule.tick(now, node=f"node-{n}:1"))
        finally:
            # On PostgreSQL each thread has its own connection, closed here; the in-memory
            # SQLite test database is one connection shared by the threads and must stay open.
            if connection.vendor == "postgresql":
                connection.close()

    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(tick, range(8)))
    assert sum(made) == 1 and len(calls) == 1
    assert ScheduledRun.objects.filter(job="count").count() == 1


@pytest.mark.django_db
def test_after_downtime_one_run_catches_up_and_says_how_many_periods_it_missed(only):
    job, calls = counting_job()
    only(job)
    start = dt.datetime(2026, 12, 4, 6, 10, tzinfo=UTC)
    schedule.tick(start)
    (run,) = schedule.tick(start + 5 * HOUR)  # the scheduler was down for four hours
    assert run.missed == 4 and len(calls) == 2
    assert calls[-1] == start + 5 * HOUR  # one run, for now: the sweep works on all that is due


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_other_jobs_still_run(only):
    def broken(now):
        raise RuntimeError("database went away")

    bad = schedule.Job(name="a-bad", label="bad", every=HOUR, run=broken)
    good, calls = counting_job("b-good")
    only(bad, good)
    runs = schedule.tick(dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    assert [(r.job, r.outcome) for r in runs] == [
        ("a-bad", RunOutcome.FAILED),
        ("b-good", RunOutcome.SUCCEEDED),
    ]
    failed = ScheduledRun.objects.get(job="a-bad")
    assert failed.summary == "RuntimeError: database went away"
    assert "Traceback" in failed.error and len(calls) == 1
    state = {s.job.name: s for s in schedule.states()}
    assert state["a-bad"].last_failure == failed and state["b-good"].last_failure is None


@pytest.mark.django_db
def test_a_run_whose_process_died_shows_as_stalled(only):
    job, _ = counting_job()
    only(job)
    from django.utils import timezone

    ScheduledRun.objects.create(
        job="count",
        period_start=schedule.period_start(timezone.now() - 3 * HOUR, HOUR),
        node="dead:1",
        started_at=timezone.now() - 3 * HOUR,
        outcome=RunOutcome.RUNNING,
    )
    (state,) = schedule.states()
    assert state.stalled


@pytest.mark.django_db
def test_the_platform_registers_the_sweep_and_the_audit_checkpoint():
    names = {job.name: job for job in schedule.jobs()}
    assert {"sweep", "audit-checkpoint"} <= set(names)
    assert names["sweep"].every == dt.timedelta(hours=1)
    with translation.override("en"):
        summary = names["sweep"].run(dt.datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
        checked = names["audit-checkpoint"].run(dt.datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
        assert schedule.every_words(names["sweep"].every) == "every 1 hour"
    assert summary.startswith("2026-12-04: 0 overdue, 0 lost contact")
    assert checked.startswith("verified ")
    with translation.override("zh-hans"):
        assert schedule.every_words(dt.timedelta(minutes=90)) == "每 90 分钟"


@pytest.mark.django_db
def test_yipanqi_scheduler_once_runs_what_is_due(only):
    job, calls = counting_job()
    only(job)
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    call_command("scheduler", "--once", stdout=out)
    assert len(calls) == 1
    assert "count" in out.getvalue() and "succeeded run 1" in out.getvalue()


@pytest.mark.django_db
def test_only_the_system_administrator_sees_the_periodic_jobs_page(client, only):
    job, _ = counting_job("sweep")
    only(job)
    schedule.tick(dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC), node="web-1:42")
    client.cookies["django_language"] = "en"
    for role in ("auditor", "security_admin", "national_admin"):
        client.force_login(make_user(f"u-{role}", role, None if role != "national_admin" else None))
        assert client.get("/ops/schedule/").status_code == 404
    client.force_login(make_user("sam", "system_admin", None))
    page = client.get("/ops/schedule/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Periodic jobs" in html and "web-1:42" in html and "run 1" in html


@pytest.mark.django_db
def test_the_api_lists_the_jobs_for_the_system_administrator_only(client, only):
    job, _ = counting_job("sweep")
    only(job)
    schedule.tick(dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC), node="web-1:42")
    client.force_login(make_user("eve", "auditor", None))
    assert client.get("/api/v1/ops/schedule").status_code == 404
    client.force_login(make_user("sam", "system_admin", None))
    answer = client.get("/api/v1/ops/schedule")
    assert answer.status_code == 200
    (row,) = answer.json()
    assert row["name"] == "sweep" and row["every_seconds"] == 3600
    assert row["last_run"]["node"] == "web-1:42" and row["last_run"]["outcome"] == "succeeded"
    assert row["last_failure"] is None and row["stalled"] is False
