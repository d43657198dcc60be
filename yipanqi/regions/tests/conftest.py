"""Fixtures for the region and rule-set scenarios: the standard cast (root conftest), English."""

import pytest


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here matches messages in their English source form."""
