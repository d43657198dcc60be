import json

import pytest
from django.utils import translation

from yipanqi.workdays import services


@pytest.fixture(autouse=True)
def fresh_table():
    """Each test starts from, and leaves, a table rebuilt from its own database state.

    English, too: the tests match the source messages, not their translations.
    """
    services.invalidate()
    with translation.override("en"):
        yield
    services.invalidate()


# A made-up 2027 schedule (the real one is not yet published): New Year Jan 1-3, Spring Festival
# Feb 5-13 with Saturday Feb 20 worked, National Day Oct 1-7 with Sep 26 (Sun) and Oct 9 (Sat).
SCHEDULE_2027 = {
    "year": 2027,
    "source": "test notice 2027",
    "holidays": ["2027-01-01/2027-01-03", "2027-02-05/2027-02-13", "2027-10-01/2027-10-07"],
    "workdays": ["2027-02-20", "2027-09-26", "2027-10-09"],
}


@pytest.fixture
def schedule_2027_file(tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(SCHEDULE_2027), encoding="utf-8")
    return path
