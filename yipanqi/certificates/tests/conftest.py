"""Fixtures for the certificate scenarios: a woman from 三台县 (四川) living in 南山区 (广东)."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from conftest import NANSHAN_TOWNSHIP, SANTAI_VILLAGE, SICHUAN, id_for, make_user

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
ARRIVAL = dt.date(2026, 3, 2)  # register_inflow's arrival date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def english(client):
    """Match messages in their English source form: in code, and in pages via the cookie."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def residence_township(db):
    """A township operator of 南头街道 (南山区), the residence township."""
    return make_user("nina", "township_operator", NANSHAN_TOWNSHIP)


@pytest.fixture
def sichuan_admin(db):
    return make_user("sam", "province_admin", SICHUAN)


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
