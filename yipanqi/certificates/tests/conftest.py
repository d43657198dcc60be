"""Fixtures for the certificate scenarios: a woman from 三台县 (四川) living in 南山区 (广东)."""

import datetime as dt

import pytest

from conftest import SANTAI_VILLAGE, at, id_for

ARRIVAL = dt.date(2026, 3, 2)  # register_inflow's arrival date


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here matches messages in their English source form."""


@pytest.fixture
def woman(register_inflow):
    """王芳, home 三台县 潼川镇, arrived in 南山区 on 2 March 2026."""
    return register_inflow().person


@pytest.fixture
def second_woman(register_inflow):
    return register_inflow(id_number=id_for(seq=12), name="李娟", home_code=SANTAI_VILLAGE).person


@pytest.fixture
def issue(township_operator):
    from yipanqi.certificates.services import issue_certificate

    def _issue(person, day=dt.date(2026, 2, 20), user=None, **kwargs):
        return issue_certificate(
            person.pk, acting_user=user or township_operator, now=at(day), **kwargs
        )

    return _issue
