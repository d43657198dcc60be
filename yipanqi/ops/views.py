"""The system administrator's page of periodic jobs: each job's last run, last failure and next
period, and the latest runs (issue 14.3)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from yipanqi.ops import schedule
from yipanqi.ops.models import ScheduledRun
from yipanqi.ops.services import may_see_operations, metrics_token_ok

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


@never_cache
def metrics(request):
    """Prometheus' scrape: the system administrator's session, or the scraper's bearer token
    (YIPANQI_METRICS_TOKEN); for anyone else there is no such page."""
    if not (may_see_operations(request.user) or metrics_token_ok(request)):
        raise Http404
    # Imported here, in a worker: never in gunicorn's master (see ops.metrics).
    from yipanqi.ops.metrics import exposition

    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
