"""Personal data never reaches a log line or an error report (issue 7.5, PIPL art. 51).

`RedactPersonalData` is a logging filter on every handler (settings.LOGGING): it masks
anything that looks like a resident ID number or a mobile phone number in the message, its
arguments and its traceback. `SensitiveExceptionReporterFilter` hides the POST fields that carry
such values, and credentials, from Django's error reports.
"""

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

from django.views.debug import SafeExceptionReporterFilter

# 18-character resident IDs (also with a small x) and 11-digit mainland mobile numbers.
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SENSITIVE_FIELDS = re.compile(r"id_number|idnumber|phone|contact|password|token|secret|key", re.I)


def redact(text: str) -> str:
    text = ID_PATTERN.sub(lambda m: m.group()[:6] + "********" + m.group()[-4:], text)
    return PHONE_PATTERN.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string still gets logged, masked
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class SensitiveExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports show ID, phone, contact, password and token fields as stars."""

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if not params:
            return params
        params = params.copy()
        for name in params:
            if SENSITIVE_FIELDS.search(name):
                params[name] = self.cleansed_substitute
        return params

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, redact(value) if isinstance(value, str) else value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]


# --- request ids and JSON lines (issue 14.6) -------------------------------------------------

REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy sends is kept when it is plain: letters, digits, dashes, dots, underscores.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Gives each request an id: the reverse proxy's `X-Request-ID` when it is plain, else a
    new one. Every log line written while the request runs carries it, and the answer sends
    it back, so a user's report ("请求编号 …") leads to the log lines of that request on any
    node."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class AddRequestId(logging.Filter):
    """Puts the running request's id on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line, for a log shipper: time (UTC, ISO 8601), level, logger,
    message, request id, process, and the traceback when there is one. The message is already
    masked by RedactPersonalData."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
            "pid": record.process,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["error"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)
