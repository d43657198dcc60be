"""Prometheus metrics (issue 14.6): requests, the periodic jobs' lag, and what apps report of
their own queues, at /metrics for the operator only.

Under gunicorn every worker is a process of its own, so request metrics are kept in
prometheus-client's multiprocess mode. `yipanqi serve` points PROMETHEUS_MULTIPROC_DIR at an
empty folder before the workers start, and the scrape adds up all of them. In one process (the
development server, the tests) the default registry is used.

Apps add gauges computed at scrape time with `ops.gauges.register_gauge(name, help, read)`:
imports, for example, reports how many jobs wait and how long the oldest has waited. They live
in a module of their own, because this one must first be imported by a worker, after gunicorn
has set PROMETHEUS_MULTIPROC_DIR, and never by the master process at start-up.
"""

import os
import time

from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

_LOCAL = CollectorRegistry()  # one process: the metrics live here
_made: dict[str, object] = {}


def _metrics() -> tuple[Counter, Histogram]:
    """Made at first use, in the process that counts: under gunicorn that is a worker, after
    `for_worker()` has switched prometheus-client to its multiprocess files."""
    if not _made:
        _made["requests"] = Counter(
            "yipanqi_http_requests_total",
            "Requests answered",
            ["method", "view", "status"],
            registry=_LOCAL,
        )
        _made["latency"] = Histogram(
            "yipanqi_http_request_seconds",
            "Time to answer a request",
            ["view"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30),
            registry=_LOCAL,
        )
    return _made["requests"], _made["latency"]


def for_worker() -> None:
    """gunicorn's post_fork: count in the multiprocess files (PROMETHEUS_MULTIPROC_DIR), even
    if the master imported prometheus-client before the folder was set (system checks)."""
    from prometheus_client import values

    values.ValueClass = values.get_value_class()
    _made.clear()


class MetricsMiddleware:
    """Counts each answer and its time, labelled by the view's name (never the raw path, so
    the number of series stays small whatever the URLs carry)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        requests, latency = _metrics()
        latency.labels(view).observe(time.perf_counter() - started)
        requests.labels(request.method, view, str(response.status_code)).inc()
        return response


class _ScrapeTime:
    """The gauges apps registered and the periodic jobs' lag, read at each scrape."""

    def collect(self):
        from django.db import DatabaseError

        from yipanqi.ops import gauges, schedule
        from yipanqi.ops.models import RunOutcome, ScheduledRun

        # The metrics answer even while the database does not (that is when they are needed):
        # what cannot be read is left out, and `yipanqi_database_up` says why.
        up = GaugeMetricFamily("yipanqi_database_up", "1 when the database answered the scrape")
        lag = GaugeMetricFamily(
            "yipanqi_periodic_job_lag_seconds",
            "Seconds since the job last succeeded",
            labels=["job"],
        )
        read: list[GaugeMetricFamily] = []
        now = timezone.now()
        try:
            for job in schedule.jobs():
                last = (
                    ScheduledRun.objects.filter(job=job.name, outcome=RunOutcome.SUCCEEDED)
                    .order_by("-period_start")
                    .values_list("started_at", flat=True)
                    .first()
                )
                if last is not None:
                    lag.add_metric([job.name], (now - last).total_seconds())
            for name, (help_text, reader) in gauges.registered():
                value = reader()
                if value is not None:
                    read.append(GaugeMetricFamily(name, help_text, value=value))
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield lag
        yield from read


def exposition() -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        registry.register(_ScrapeTime())
        return generate_latest(registry), CONTENT_TYPE_LATEST
    registry.register(_ScrapeTime())
    return generate_latest(_LOCAL) + generate_latest(registry), CONTENT_TYPE_LATEST
