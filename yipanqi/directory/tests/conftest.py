"""Fixtures for the free-service, report and benefit scenarios: the standard cast, English."""

import pytest


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here matches messages in their English source form."""
