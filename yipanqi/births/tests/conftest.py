"""Fixtures for the birth registration scenarios: 王芳 (home 三台县, 四川) lives in 南山区
(广东); her husband's home is 玄武区 梅园新村街道 (江苏), so two home townships confirm."""

import datetime as dt

import pytest

from conftest import at, make_user

HUSBAND_HOME = "320102002"  # 江苏省 › 南京市 › 玄武区 › 梅园新村街道
ALL_DOCUMENTS = ["id_cards", "marriage_certificate", "status_certificate"]


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here matches messages in their English source form."""


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
