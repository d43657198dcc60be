"""Fixtures for the region and rule-set scenarios: the standard cast, a member province, English."""

import pytest
from django.utils import translation

from conftest import SICHUAN, make_user


@pytest.fixture(autouse=True)
def english(client):
    """Match messages in their English source form: in code, and in pages via the cookie."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sichuan_admin(db):
    """The administrator of 四川, a member of 泛珠三角 that does not convene it."""
    return make_user("sam", "province_admin", SICHUAN)
