"""Fixtures for the free-service, report and benefit scenarios: the standard cast, English."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(client):
    """Match messages in their English source form: in code, and in pages via the cookie."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def person(register_inflow):
    """王芳, home 三台县 (四川), living in 南山区 (广东), registered by the 南山 village worker."""
    return register_inflow().person
