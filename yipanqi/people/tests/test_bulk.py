"""R-REGN-1 computed once (people.bulk.recorded_in_time), and the bulk writer's sealing as
register() seals one person."""

import datetime as dt

import pytest

from yipanqi.core.crypto import blind_index, field_cipher
from yipanqi.people.bulk import Deadlines, Sealer, recorded_in_time, recording_due

pytestmark = pytest.mark.django_db


def test_r_regn_1_the_fifth_working_day_is_in_time_and_the_next_day_is_late():
    # Received Monday 2026-09-28: working days 29 and 30 September, then after the National
    # Day holiday 8 and 9 October and the make-up Saturday 10 October, the fifth.
    received = dt.date(2026, 9, 28)

    assert recording_due(received) == dt.date(2026, 10, 10)
    assert recorded_in_time(received, received)
    assert recorded_in_time(received, dt.date(2026, 10, 10))
    assert not recorded_in_time(received, dt.date(2026, 10, 11))


def test_r_regn_1_a_report_received_on_a_rest_day_counts_from_the_next_working_day():
    saturday = dt.date(2026, 3, 7)  # the next working days: 9-13 March

    assert recorded_in_time(saturday, dt.date(2026, 3, 13))
    assert not recorded_in_time(saturday, dt.date(2026, 3, 14))


def test_r_regn_1_deadlines_for_many_rows_answer_as_the_one_rule():
    deadlines = Deadlines()
    start = dt.date(2026, 9, 20)
    for received in (start + dt.timedelta(days=n) for n in range(30)):
        for lag in range(12):
            recorded = received + dt.timedelta(days=lag)
            assert deadlines.in_time(received, recorded) == recorded_in_time(received, recorded)


def test_p5_the_sealer_stores_what_register_stores():
    sealer = Sealer()
    cipher, index, masked = sealer.id_number("510722199504120074")
    phone_cipher, phone_index, phone_masked = sealer.phone("13800138000")

    assert index == blind_index("510722199504120074", domain="id")
    assert masked == "5107**********0074"
    assert field_cipher().decrypt(cipher, associated=b"person.id") == "510722199504120074"
    assert phone_index == blind_index("13800138000", domain="phone")
    assert phone_masked == "138****8000"
    assert field_cipher().decrypt(phone_cipher, associated=b"person.phone") == "13800138000"
    assert sealer.phone("") == (None, "", "")
