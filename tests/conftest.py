"""Shared by the tests under tests/: the standard cast lives in the root conftest.py."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English leaves English active in the thread; start the next test clean."""
    yield
    translation.deactivate()
