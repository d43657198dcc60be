"""A bulk load that at least doubles the registry builds its indexes once at the end (issue 5,
item 5), inside the import's transaction: afterwards the same indexes exist, and a refused
file leaves them as they were."""

import pytest
from django.db import connection

from conftest import NANSHAN_VILLAGE, id_for
from yipanqi.imports.models import ImportStatus
from yipanqi.imports.tests.conftest import inflow_row, write_csv
from yipanqi.people import bulk as writing
from yipanqi.people.models import Person, Registration

pytestmark = pytest.mark.django_db


def _indexes() -> set[tuple[str, str]]:
    """(name, definition) of every index on the registry tables."""
    tables = ["people_person", "people_registration", "people_personevent"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name IN (%s, %s, %s)",
                tables,
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables]
            )
        return set(cursor.fetchall())


@pytest.fixture
def small_bulk(monkeypatch):
    """Make a file of a few rows count as a bulk load, and record what was set aside."""
    monkeypatch.setattr(writing, "REBUILD_MIN_ROWS", 5)
    dropped: list[list[str]] = []
    original = writing.Writer.drop_secondary_indexes

    def spy(self):
        names = original(self)
        dropped.append(names)
        return names

    monkeypatch.setattr(writing.Writer, "drop_secondary_indexes", spy)
    return dropped


def test_a_first_load_sets_the_indexes_aside_and_builds_the_same_ones(
    tmp_path, run_import, small_bulk
):
    before = _indexes()
    path = write_csv(tmp_path / "first.csv", [inflow_row(n) for n in range(1, 21)])

    job = run_import(path)

    assert job.status == ImportStatus.DONE, job.error
    assert job.created == 20
    assert len(small_bulk) == 1 and small_bulk[0], "the indexes were not set aside"
    assert _indexes() == before
    # Every kept index still answers: scope reads (home, residence) and the person's timeline.
    assert Person.objects.filter(residence_id=NANSHAN_VILLAGE).count() == 20
    assert Registration.objects.filter(kind="inflow", status="active").count() == 20


def test_a_refused_bulk_load_leaves_rows_and_indexes_as_they_were(tmp_path, run_import, small_bulk):
    before = _indexes()
    rows = [inflow_row(n) for n in range(1, 21)]
    valid = rows[12][2]
    rows[12][2] = valid[:17] + ("0" if valid[17] != "0" else "1")  # a wrong check digit

    job = run_import(write_csv(tmp_path / "bad.csv", rows))  # all or nothing: refused

    assert job.status == ImportStatus.REJECTED
    assert small_bulk, "the indexes were not set aside"
    assert Person.objects.count() == 0
    assert _indexes() == before


def test_an_import_smaller_than_the_registry_keeps_its_indexes(tmp_path, run_import, small_bulk):
    run_import(write_csv(tmp_path / "first.csv", [inflow_row(n) for n in range(1, 21)]))
    small_bulk.clear()
    rows = [inflow_row(n, id=id_for(seq=300 + n)) for n in range(1, 7)]

    job = run_import(write_csv(tmp_path / "more.csv", rows))

    assert job.status == ImportStatus.DONE, job.error
    assert job.created == 6
    assert small_bulk == []
