"""Issue 14.6: Prometheus metrics for requests, the periodic jobs' lag and the imports queue,
for the operator only."""

import datetime as dt

import pytest
from django.test import override_settings

from conftest import make_user
from yipanqi.ops import schedule

pytestmark = pytest.mark.django_db


def test_metrics_are_for_the_operator_only(client):
    assert client.get("/metrics").status_code == 404
    client.force_login(make_user("eve", "auditor", None))
    assert client.get("/metrics").status_code == 404
    with override_settings(METRICS_TOKEN="scrape-secret-0123456789"):
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_the_scraper_reads_requests_job_lag_and_the_imports_queue(client):
    client.get("/healthz")
    schedule.tick(dt.datetime.now(tz=dt.UTC))
    with override_settings(METRICS_TOKEN="scrape-secret-0123456789"):
        answer = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'yipanqi_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert 'yipanqi_http_request_seconds_bucket{le="0.3",view="healthz"}' in text
    assert 'yipanqi_periodic_job_lag_seconds{job="sweep"}' in text
    assert "yipanqi_imports_waiting 0.0" in text
    assert "yipanqi_imports_oldest_wait_seconds 0.0" in text


def test_the_system_administrator_reads_them_in_the_browser(client):
    client.force_login(make_user("sam", "system_admin", None))
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
