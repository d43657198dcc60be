"""Issue 14.6: /healthz says the process answers; /readyz says the node can serve real work."""

from unittest import mock

import pytest
from django.db import OperationalError

from yipanqi.web import health
from yipanqi.web.management.commands.serve import gunicorn_options


def test_healthz_answers_without_login_and_is_never_cached(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "alive"}
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_and_every_migration_is_applied(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "problems": []}


@pytest.mark.django_db
def test_readyz_is_not_ready_while_a_migration_is_missing(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    with mock.patch.object(
        health.MigrationExecutor, "migration_plan", return_value=[("app", False)] * 2
    ):
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready", "problems": ["migrations: 2 not applied"]}


@pytest.mark.django_db
def test_readyz_is_not_ready_when_the_database_does_not_answer(client):
    with mock.patch.object(health, "_database", return_value="database: OperationalError"):
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["problems"] == ["database: OperationalError"]


@pytest.mark.django_db
def test_database_check_names_the_error_and_never_raises():
    cursor = mock.MagicMock()
    cursor.__enter__.return_value.execute.side_effect = OperationalError("gone")
    with mock.patch.object(health.connection, "cursor", return_value=cursor):
        assert health._database() == "database: OperationalError"


def test_readyz_refuses_a_write():
    from django.test import Client

    assert Client().post("/readyz").status_code == 405


def test_gunicorn_runs_threaded_workers_with_timeouts_and_an_access_log():
    options = gunicorn_options(
        bind="127.0.0.1:9000", workers=3, threads=4, timeout=60, access_log="-"
    )
    assert options["bind"] == "127.0.0.1:9000"
    assert options["workers"] == 3 and options["threads"] == 4
    assert options["worker_class"] == "gthread"
    assert options["timeout"] == 60 and options["graceful_timeout"] == 30
    assert options["accesslog"] == "-"
    single = gunicorn_options(bind="x:1", workers=1, threads=1, timeout=1, access_log="")
    assert single["worker_class"] == "sync" and single["accesslog"] is None


def test_serve_refuses_zero_workers():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="at least 1"):
        call_command("serve", "--workers", "0")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (loopback)
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow
def test_yipanqi_serve_answers_reloads_gracefully_and_stops_on_term(tmp_path):
    """The real gunicorn: two workers answer, a static file comes with no CDN, SIGHUP replaces
    the workers while the server keeps answering, SIGTERM stops it cleanly."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    env = dict(
        os.environ,
        YIPANQI_DEV="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        YIPANQI_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="yipanqi.settings",
        YIPANQI_METRICS_TOKEN="scrape-secret-0123456789",
    )
    command = [sys.executable, "-m", "yipanqi.cli", "serve", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _get_or_none(base + "/healthz") != 200:
            time.sleep(0.3)
        assert _get(base + "/healthz") == 200
        assert _get(base + "/static/yipanqi/app.css") == 200
        for _ in range(12):
            _get(base + "/healthz")
        # Issue 14.6: the scrape adds up what every worker process counted.
        scrape = urllib.request.Request(  # noqa: S310 (loopback)
            base + "/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"}
        )
        with urllib.request.urlopen(scrape, timeout=10) as answer:  # noqa: S310 (loopback)
            text = answer.read().decode()
        counted = re.search(
            r'yipanqi_http_requests_total\{method="GET",status="200",view="healthz"\} (\S+)', text
        )
        assert counted and float(counted.group(1)) >= 12, text[-3000:]
        assert "yipanqi_database_up 0.0" in text  # this test's database has no tables
        server.send_signal(signal.SIGHUP)
        for _ in range(20):
            assert _get(base + "/healthz") == 200
            time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0
    assert "Handling signal: hup" in output
    assert output.count("Booting worker") >= 4  # two at the start, two new ones after SIGHUP
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log


def _get_or_none(url: str) -> int | None:
    try:
        return _get(url)
    except OSError:
        return None
