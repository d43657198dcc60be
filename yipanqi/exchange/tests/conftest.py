"""Fixtures for the exchange scenarios: both sides' ancestors and a sent verification request."""

import datetime as dt

import pytest

from conftest import BEIJING, NANSHAN_VILLAGE, SANTAI_TOWNSHIP

# Friday 18 September 2026, 10:00 in Beijing: the request crosses 中秋 (Sep 25) and 国庆
# (Oct 1-7) with the make-up working days Sun Sep 20 and Sat Oct 10.
SENT_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here matches messages in their English source form."""


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
