"""Fixtures for the birth registration scenarios: 王芳 (home 三台县, 四川) lives in 南山区
(广东); her husband's home is 玄武区 梅园新村街道 (江苏), so two home townships confirm."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from conftest import NANSHAN_TOWNSHIP, make_user

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
HUSBAND_HOME = "320102002"  # 江苏省 › 南京市 › 玄武区 › 梅园新村街道
ALL_DOCUMENTS = ["id_cards", "marriage_certificate", "status_certificate"]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def residence_township(db):
    return make_user("nina", "township_operator", NANSHAN_TOWNSHIP)


@pytest.fixture
def husband_township(db):
    return make_user("hank", "township_operator", HUSBAND_HOME)


@pytest.fixture
def woman(register_inflow):
    return register_inflow().person


@pytest.fixture
def apply(woman, village_worker):
    from yipanqi.births.services import BirthInput, apply_first_child

    def _apply(documents=ALL_DOCUMENTS, day=dt.date(2026, 3, 3), key="k1", user=None):
        return apply_first_child(
            BirthInput(
                woman_id=woman.pk,
                husband_name="张伟",
                husband_home_code=HUSBAND_HOME,
                documents=list(documents),
                idempotency_key=key,
            ),
            acting_user=user or village_worker,
            now=at(day),
        )

    return _apply
