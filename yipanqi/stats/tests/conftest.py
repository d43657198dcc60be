"""A small world built through the real services: registrations on both sides and requests
answered on time, late, never (swept overdue) and escalated (R-STAT-1, R-STAT-2)."""

import datetime as dt

import pytest

from conftest import BEIJING, NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user

# Friday 18 September 2026: requests sent then are due on Thursday 15 October (R-WD).
SENT_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=BEIJING)
DUE = dt.date(2026, 10, 15)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here matches messages in their English source form."""


@pytest.fixture
def national_admin(db):
    return make_user("nora", "national_admin", None)


@pytest.fixture
def world(village_worker, township_operator):
    """Four inflow women in 南山 (one recorded late, one registered 40 days after arrival),
    two outflow registrations in 三台 (one late), and four verification requests 南山 → 三台:
    answered on time, answered late before the sweep, swept overdue then answered, swept
    overdue and escalated; plus one request 三台 → 南山 still open and not yet due."""
    from yipanqi.exchange.services import answer_request, escalate_request, send_request
    from yipanqi.exchange.sweep import sweep
    from yipanqi.people.services import RegistrationInput, register

    def person(seq, **overrides):
        data = {
            "id_number": id_for(seq=seq),
            "name": f"王芳{seq}",
            "home_code": SANTAI_VILLAGE,
            "residence_code": NANSHAN_VILLAGE,
            "arrival_date": dt.date(2026, 9, 1),
            "reason": "work",
            "marital_status": "first_marriage",
            "received_on": dt.date(2026, 9, 3),
        }
        data.update(overrides)
        return RegistrationInput(**data)

    inflow = [
        register(person(1), kind="inflow", acting_user=village_worker, today=dt.date(2026, 9, 4)),
        # received 3 September, recorded 20 September: later than 5 working days (R-REGN-1)
        register(person(2), kind="inflow", acting_user=village_worker, today=dt.date(2026, 9, 20)),
        # arrived 1 August, registered 10 September: more than 30 days (R-REGN-5)
        register(
            person(3, arrival_date=dt.date(2026, 8, 1), received_on=dt.date(2026, 9, 10)),
            kind="inflow",
            acting_user=village_worker,
            today=dt.date(2026, 9, 10),
        ),
        register(
            person(4, arrival_date=dt.date(2026, 10, 1), received_on=dt.date(2026, 10, 8)),
            kind="inflow",
            acting_user=village_worker,
            today=dt.date(2026, 10, 9),
        ),
    ]
    outflow = [
        register(
            person(1), kind="outflow", acting_user=township_operator, today=dt.date(2026, 9, 4)
        ),
        register(
            person(5, received_on=dt.date(2026, 8, 3)),
            kind="outflow",
            acting_user=township_operator,
            today=dt.date(2026, 9, 30),
        ),
    ]
    requests = [
        send_request(
            "verification",
            sender_code=NANSHAN_VILLAGE,
            receiver_code=SANTAI_TOWNSHIP,
            acting_user=village_worker,
            idempotency_key=f"stats-{n}",
            persons=[inflow[n].person],
            payload={"question": "Please confirm her marital status."},
            now=SENT_AT,
        )
        for n in range(4)
    ]
    at = dt.datetime.combine(DUE, dt.time(9), tzinfo=BEIJING)
    answer_request(requests[0].pk, answer="Confirmed.", acting_user=township_operator, now=at)
    late = at + dt.timedelta(days=1)
    answer_request(
        requests[1].pk, answer="Confirmed late.", acting_user=township_operator, now=late
    )
    sweep(DUE + dt.timedelta(days=5))
    later = at + dt.timedelta(days=12)
    answer_request(requests[2].pk, answer="At last.", acting_user=township_operator, now=later)
    escalate_request(
        requests[3].pk, reason="No answer in time.", acting_user=village_worker, now=later
    )
    open_request = send_request(
        "co_investigation",
        sender_code=SANTAI_TOWNSHIP,
        receiver_code=NANSHAN_VILLAGE[:9],
        acting_user=township_operator,
        idempotency_key="stats-open",
        payload={"question": "Is she still there?"},
        now=dt.datetime(2026, 11, 18, 9, 0, tzinfo=BEIJING),
    )
    return {"inflow": inflow, "outflow": outflow, "requests": [*requests, open_request]}
