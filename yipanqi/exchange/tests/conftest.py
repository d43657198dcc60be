"""Fixtures for the exchange scenarios: both sides' ancestors and a sent verification request."""

import datetime as dt

import pytest

from conftest import BEIJING, NANSHAN_VILLAGE, SANTAI_TOWNSHIP

# Friday 18 September 2026, 10:00 in Beijing: the request crosses 中秋 (Sep 25) and 国庆
# (Oct 1-7) with the make-up working days Sun Sep 20 and Sat Oct 10.
SENT_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=BEIJING)
HUSBAND_HOME = "320102002"  # 江苏省 › 南京市 › 玄武区 › 梅园新村街道


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


@pytest.fixture
def ask_first_child(village_worker):
    """R-BIRTH-2 steps 1-2: the 南山 village files a woman's first child with her husband from
    南京 玄武区, all documents, and asks both home townships to confirm (at SENT_AT)."""
    from yipanqi.births.services import BirthInput, apply_first_child, ask_home_townships

    def _ask(woman, *, key):
        registration = apply_first_child(
            BirthInput(
                woman_id=woman.pk,
                husband_name="张伟",
                husband_home_code=HUSBAND_HOME,
                documents=["id_cards", "marriage_certificate", "status_certificate"],
                idempotency_key=key,
            ),
            acting_user=village_worker,
            now=SENT_AT,
        )
        ask_home_townships(registration.pk, acting_user=village_worker, now=SENT_AT)
        return registration

    return _ask
