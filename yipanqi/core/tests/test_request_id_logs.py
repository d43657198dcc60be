"""Issue 14.6: every request has an id, sent back in the answer and carried by every log line
written while it runs; outside development the log lines are JSON."""

import json
import logging

import pytest

from yipanqi.core.logs import (
    AddRequestId,
    JsonLines,
    RedactPersonalData,
    RequestIdMiddleware,
    current_request_id,
)


def _record(message, *args, exc_info=None):
    return logging.LogRecord("yipanqi.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_each_answer_carries_a_new_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_plain_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-7f3a2b1c")["X-Request-ID"] == (
        "nginx-7f3a2b1c"
    )
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_log_lines_written_during_a_request_carry_its_id(rf):
    seen = []

    def view(request):
        record = _record("inside")
        AddRequestId().filter(record)
        seen.append(record.request_id)
        return __import__("django.http", fromlist=["HttpResponse"]).HttpResponse("ok")

    response = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="req-12345678"))
    assert seen == ["req-12345678"] and response["X-Request-ID"] == "req-12345678"
    assert current_request_id() == ""  # and none after it


def test_json_lines_are_one_masked_object_with_the_request_id():
    record = _record("looked up %s", "110101199003071234")
    RedactPersonalData().filter(record)
    record.request_id = "req-12345678"
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "looked up 110101********1234"
    assert line["request_id"] == "req-12345678" and line["level"] == "WARNING"
    assert line["logger"] == "yipanqi.test" and line["at"].endswith("+00:00")


def test_json_lines_carry_the_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = _record("failed", exc_info=sys.exc_info())
    line = json.loads(JsonLines().format(record))
    assert "ValueError: broken" in line["error"]


@pytest.mark.parametrize("dev,expected", [("1", "text"), ("0", "json")])
def test_production_logs_json_and_development_text(dev, expected):
    import os
    import subprocess
    import sys

    # Production settings refuse to load without their secrets; any values do for this check.
    secrets = {
        name: "x" * 44
        for name in (
            "YIPANQI_SECRET_KEY",
            "YIPANQI_FIELD_KEYS",
            "YIPANQI_BLIND_INDEX_KEY",
            "YIPANQI_AUDIT_KEY",
        )
    }
    env = dict(os.environ, YIPANQI_DEV=dev, DJANGO_SETTINGS_MODULE="yipanqi.settings") | secrets
    env.pop("YIPANQI_LOG_FORMAT", None)
    code = "from django.conf import settings; print(settings.LOG_FORMAT)"
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip().splitlines()[-1] == expected, out.stderr[-500:]
