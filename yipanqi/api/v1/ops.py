"""/api/v1/ops/: the periodic jobs, for the system administrator (issue 14.3)."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema

from yipanqi.core.errors import NotFound
from yipanqi.ops import schedule
from yipanqi.ops.services import may_see_operations

router = Router(tags=["operations"])


class PeriodicRunOut(Schema):
    period_start: dt.datetime
    node: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    summary: str
    missed: int


class PeriodicJobOut(Schema):
    name: str
    label: str
    every_seconds: int
    last_run: PeriodicRunOut | None
    last_failure: PeriodicRunOut | None
    stalled: bool
    next_period: dt.datetime


@router.get("/schedule", response=list[PeriodicJobOut], summary="Periodic jobs and their last runs")
def jobs(request):
    """Each periodic job: how often it runs, its last run, its last failure, whether its last
    run stalled (its process died), and when its next period starts."""
    if not may_see_operations(request.auth):
        raise NotFound(_("Only the system administrator sees the periodic jobs."))
    return [
        {
            "name": state.job.name,
            "label": str(state.job.label),
            "every_seconds": int(state.job.every.total_seconds()),
            "last_run": state.last,
            "last_failure": state.last_failure,
            "stalled": state.stalled,
            "next_period": state.next_period,
        }
        for state in schedule.states()
    ]
