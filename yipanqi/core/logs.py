"""Personal data never reaches a log line or an error report (issue 7.5, PIPL art. 51).

`RedactPersonalData` is a logging filter on every handler (settings.LOGGING): it masks
anything that looks like a resident ID number or a mobile phone number in the message, its
arguments and its traceback. `SensitiveExceptionReporterFilter` hides the POST fields that carry
such values, and credentials, from Django's error reports.
"""

import logging
import re

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
