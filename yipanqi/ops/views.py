"""The system administrator's page of periodic jobs: each job's last run, last failure and next
period, and the latest runs (issue 14.3)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from yipanqi.ops import schedule
from yipanqi.ops.models import ScheduledRun
from yipanqi.ops.services import may_see_operations

RECENT_RUNS = 50


@never_cache
@login_required
def jobs(request):
    if not may_see_operations(request.user):
        raise Http404
    return render(
        request,
        "ops/schedule.html",
        {
            "states": schedule.states(),
            "runs": [
                (schedule.label_of(run.job), run)
                for run in ScheduledRun.objects.order_by("-started_at")[:RECENT_RUNS]
            ],
        },
    )
