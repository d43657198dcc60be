"""Issue 7, item 5 (PIPL art. 51, P5): ID and phone numbers never reach a log line.

Every log record emitted while a representative workflow runs — registrations on the web and
the API, rejected input, searches by ID number, reading a person, emergency access, failed
log-ins with an ID number typed as the user name — is captured at DEBUG level from the root
logger and searched for the ID and phone numbers used. A server error whose message carries an
ID number is then checked on the configured console handler, which must mask it.
"""

import io
import logging
from unittest import mock

import pytest
from django.test import Client

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
from yipanqi.accounts.models import ApiToken
from yipanqi.audit.models import AuditEvent
from yipanqi.core.logs import RedactPersonalData

PHONE = "13912345678"
IDS = [id_for(seq=11), id_for(seq=12), id_for(seq=13, sex="M")]
WATCHED = [
    "",
    "django",
    "django.request",
    "django.server",
    "django.db.backends",
    "yipanqi",
    "axes",
    "ninja",
]


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    handler = Capture()
    loggers = [logging.getLogger(name) for name in WATCHED]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


def _sensitive(text: str) -> list[str]:
    values = [*IDS, PHONE, PHONE[:3] + " " + PHONE[3:7] + " " + PHONE[7:]]
    return [v for v in values if v in text]


def _inflow(id_number, phone=PHONE, **extra):
    return {
        "id_number": id_number,
        "name": "林小红",
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": "2026-03-02",
        "reason": "work",
        "marital_status": "first_marriage",
        "phone": phone,
        **extra,
    }


def test_p5_no_id_or_phone_number_in_any_log_record(captured, village_worker, other_county_admin):
    """Issue 7.5: the whole workflow, errors included, logs no ID or phone number."""
    web = Client()
    web.force_login(village_worker)
    web.post("/register/inflow/", _inflow(IDS[0]))
    web.post("/register/inflow/", _inflow(IDS[0][:-1] + "0", phone="1391234"))  # rejected
    web.post("/persons/", {"id_number": IDS[0]})
    _token, key = ApiToken.issue(village_worker)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    created = api.post("/api/v1/persons/inflow", _inflow(IDS[1]), content_type="application/json")
    assert created.status_code == 201
    person_id = created.json()["person_id"]
    api.post(
        "/api/v1/persons/inflow", _inflow("11010119900101123"), content_type="application/json"
    )
    api.post("/api/v1/persons/inflow", {"id_number": IDS[2]}, content_type="application/json")
    api.post("/api/v1/persons/search", {"id_number": IDS[1]}, content_type="application/json")
    api.get(f"/api/v1/persons/{person_id}")
    Client(HTTP_AUTHORIZATION=f"Bearer {IDS[2]}").get(f"/api/v1/persons/{person_id}")
    outsider = Client()
    outsider.force_login(other_county_admin)
    outsider.get(f"/persons/{person_id}/")
    outsider.post(
        "/account/emergency-access/",
        {"id_number": IDS[1], "case": "medical", "reason": "急诊抢救核实身份"},
    )
    outsider.get(f"/persons/{person_id}/")
    Client().post("/login/", {"username": IDS[2], "password": PHONE})
    Client().post("/login/", {"username": PHONE, "password": IDS[2]})

    assert len(captured.lines) > 5  # the capture works: requests and lock-outs were logged
    leaks = [line for line in captured.lines if _sensitive(line)]
    assert leaks == []
    audit = list(AuditEvent.objects.values_list("detail", "reason", "object_id"))
    assert not [row for row in audit if _sensitive(str(row))]


def test_p5_a_server_error_with_an_id_number_is_masked_on_the_console(village_worker):
    """Issue 7.5: an unexpected exception whose message carries an ID number, on a request
    whose body carries one, reaches the configured log handler masked."""
    console = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactPersonalData) for f in h.filters)
    )
    stream = io.StringIO()
    old = console.setStream(stream)
    _token, key = ApiToken.issue(village_worker)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)
    boom = RuntimeError(f"unexpected state for {IDS[0]} / {PHONE}")
    try:
        with mock.patch("yipanqi.people.services.register", side_effect=boom):
            response = api.post(
                "/api/v1/persons/inflow", _inflow(IDS[0]), content_type="application/json"
            )
    finally:
        console.setStream(old)
    assert response.status_code == 500
    output = stream.getvalue()
    assert "unexpected state for" in output  # the error itself is logged ...
    assert _sensitive(output) == []  # ... with the numbers masked
    assert IDS[0][:6] + "********" + IDS[0][-4:] in output
