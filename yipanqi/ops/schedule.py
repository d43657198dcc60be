"""Periodic work, run exactly once per period across any number of nodes (issue 14.3).

An app registers its periodic jobs from its AppConfig.ready() (`register`). Any number of
`yipanqi scheduler` processes, on one node or many, call `tick()` about once a minute. For each
job, `tick` works out the current period (periods are aligned to the epoch, so every node agrees
on them) and tries to insert the `ScheduledRun` row for that job and period. The unique
(job, period) constraint lets exactly one insert succeed: that process runs the job and records
how it went. Every other process gets an IntegrityError and leaves the job alone.

Catching up: after downtime the first tick finds the current period without a run and runs the
job once. It records in `missed` how many periods passed with no run. The jobs registered here
(the deadline sweep, the audit checkpoint) work on "everything due by now", so one run catches up
everything that was missed; running each missed period in turn would do the same work again.
"""

import datetime as dt
import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from yipanqi.ops.models import RunOutcome, ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    label: str  # what the administrator's page calls it (lazy translation)
    every: dt.timedelta
    run: Callable[[dt.datetime], str]  # given the moment of the run; returns a one-line summary


_JOBS: dict[str, Job] = {}


def every_words(every: dt.timedelta) -> str:
    """How often, in words: "every 60 minutes", "every 24 hours"."""
    from django.utils.translation import ngettext

    minutes = int(every.total_seconds() // 60)
    if minutes % 60:
        return ngettext("every %(n)s minute", "every %(n)s minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    return ngettext("every %(n)s hour", "every %(n)s hours", hours) % {"n": hours}


def label_of(name: str) -> str:
    found = _JOBS.get(name)
    return str(found.label) if found else name


def register(name: str, *, label, every: dt.timedelta, run: Callable[[dt.datetime], str]) -> Job:
    if every < dt.timedelta(minutes=1):
        raise ValueError("a periodic job runs at most once a minute")
    job = Job(name=name, label=label, every=every, run=run)
    _JOBS[name] = job
    return job


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def job(name: str) -> Job | None:
    return _JOBS.get(name)


def period_start(moment: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The start of the period that holds `moment`: periods are aligned to the Unix epoch."""
    seconds = every.total_seconds()
    start = (moment.timestamp() // seconds) * seconds
    return dt.datetime.fromtimestamp(start, tz=dt.UTC)


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _missed(job: Job, start: dt.datetime) -> int:
    last = (
        ScheduledRun.objects.filter(job=job.name, period_start__lt=start)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    if last is None:
        return 0
    return max(0, int((start - last) / job.every) - 1)


def _claim(job: Job, start: dt.datetime, now: dt.datetime, node: str) -> ScheduledRun | None:
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(
                job=job.name,
                period_start=start,
                node=node,
                started_at=now,
                outcome=RunOutcome.RUNNING,
                missed=_missed(job, start),
            )
    except IntegrityError:
        return None  # another process has this period


def run_claimed(job: Job, run: ScheduledRun) -> ScheduledRun:
    """Run the job for its claimed period and record the outcome; a failure is recorded and
    logged, never raised, so the scheduler goes on with the other jobs."""
    try:
        summary = job.run(run.started_at)
    except Exception as exc:
        logger.exception("periodic job %s failed", job.name)
        run.outcome = RunOutcome.FAILED
        run.summary = f"{type(exc).__name__}: {exc}"[:500]
        run.error = traceback.format_exc()[-4000:]
    else:
        run.outcome = RunOutcome.SUCCEEDED
        run.summary = (summary or "")[:500]
        logger.info("periodic job %s: %s", job.name, run.summary)
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "summary", "error", "finished_at"])
    return run


def tick(now: dt.datetime | None = None, *, node: str | None = None) -> list[ScheduledRun]:
    """Run every job whose current period has no run yet; returns the runs this call made."""
    now = now or timezone.now()
    node = node or node_name()
    made = []
    for each in jobs():
        claimed = _claim(each, period_start(now, each.every), now, node)
        if claimed is not None:
            made.append(run_claimed(each, claimed))
    return made


@dataclass(frozen=True)
class JobState:
    job: Job
    last: ScheduledRun | None
    last_failure: ScheduledRun | None
    next_period: dt.datetime

    @property
    def every(self) -> str:
        return every_words(self.job.every)

    @property
    def stalled(self) -> bool:
        """A run still marked running long after it began: its process died mid-run."""
        last = self.last
        limit = max(self.job.every, dt.timedelta(hours=1))
        return (
            last is not None
            and last.outcome == RunOutcome.RUNNING
            and timezone.now() - last.started_at > limit
        )


def states(now: dt.datetime | None = None) -> list[JobState]:
    now = now or timezone.now()
    found = []
    for each in jobs():
        runs = ScheduledRun.objects.filter(job=each.name).order_by("-period_start")
        found.append(
            JobState(
                job=each,
                last=runs.first(),
                last_failure=runs.filter(outcome=RunOutcome.FAILED).first(),
                next_period=period_start(now, each.every) + each.every,
            )
        )
    return found
