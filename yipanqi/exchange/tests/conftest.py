"""Fixtures for the exchange scenarios: both sides' ancestors and a sent verification request."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SICHUAN, make_user

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
# Friday 18 September 2026, 10:00 in Beijing: the request crosses 中秋 (Sep 25) and 国庆
# (Oct 1-7) with the make-up working days Sun Sep 20 and Sat Oct 10.
SENT_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def english(client):
    """Match messages in their English source form: in code, and in pages via the cookie."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sichuan_admin(db):
    return make_user("sam", "province_admin", SICHUAN)


@pytest.fixture
def person(register_inflow):
    return register_inflow().person


@pytest.fixture
def send_verification(village_worker, person):
    """The residence village in 广东 asks the home township in 四川 to confirm a person."""
    from yipanqi.exchange.services import send_request

    def _send(key="verify-1", **overrides):
        arguments = {
            "sender_code": NANSHAN_VILLAGE,
            "receiver_code": SANTAI_TOWNSHIP,
            "acting_user": village_worker,
            "idempotency_key": key,
            "persons": [person],
            "payload": {"question": "Please confirm her marital status."},
            "now": SENT_AT,
        }
        arguments.update(overrides)
        return send_request(arguments.pop("type", "verification"), **arguments)

    return _send
