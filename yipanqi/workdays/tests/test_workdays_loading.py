"""Loading official schedules (R-WD-4) and how every process comes to use them."""

import copy
import datetime as dt
import json

import pytest

from yipanqi.workdays import services
from yipanqi.workdays.models import CalendarYear
from yipanqi.workdays.schedule import ScheduleError
from yipanqi.workdays.tests.conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db

D = dt.date


def test_r_wd_4_loaded_2027_removes_fallback_and_changes_the_answer(schedule_2027_file):
    before = services.add_working_days(D(2026, 12, 28), 15)
    assert (before.date, before.fallback) == (D(2027, 1, 18), True)

    results = services.load_calendar_file(schedule_2027_file)

    assert [(r.year, r.action) for r in results] == [(2027, "created")]
    after = services.add_working_days(D(2026, 12, 28), 15)
    # Jan 1 2027 is now a holiday: Dec 29-31 (3), Jan 4-8 (8), 11-15 (13), 18, 19 (15).
    assert after.date == D(2027, 1, 19)
    assert after.fallback is False
    assert after.years_without_schedule == []
    assert services.is_working_day(D(2027, 2, 20)).is_working_day is True  # make-up Saturday
    assert services.is_working_day(D(2027, 2, 8)).is_working_day is False  # Spring Festival
    assert services.is_working_day(D(2028, 1, 3)).fallback is True


def test_r_wd_4_loading_the_same_file_twice_changes_nothing(schedule_2027_file):
    services.load_calendar_file(schedule_2027_file)
    row = CalendarYear.objects.get(year=2027)

    results = services.load_calendar_file(schedule_2027_file)

    assert [(r.year, r.action) for r in results] == [(2027, "unchanged")]
    again = CalendarYear.objects.get(year=2027)
    assert (again.loaded_at, again.holidays, again.workdays) == (
        row.loaded_at,
        row.holidays,
        row.workdays,
    )
    assert CalendarYear.objects.count() == 1


def test_r_wd_4_reloading_a_corrected_year_replaces_it():
    services.load_calendar_data(SCHEDULE_2027)
    corrected = copy.deepcopy(SCHEDULE_2027)
    corrected["holidays"].append("2027-01-04")

    results = services.load_calendar_data(corrected)

    assert [(r.year, r.action) for r in results] == [(2027, "updated")]
    assert services.is_working_day(D(2027, 1, 4)).is_working_day is False
    assert "2027-01-04" in CalendarYear.objects.get(year=2027).holidays


def test_r_wd_4_a_loaded_year_replaces_the_package_year():
    # An imaginary revision of 2026 without the National Day break.
    services.load_calendar_data({"year": 2026, "holidays": ["2026-01-01"], "workdays": []})

    assert services.add_working_days(D(2026, 9, 28), 15).date == D(2026, 10, 19)
    assert services.is_working_day(D(2026, 2, 16)).is_working_day is True
    assert services.get_year_schedule(2026).origin == "loaded"


def test_r_wd_4_show_tells_where_a_year_comes_from(schedule_2027_file):
    assert services.get_year_schedule(2026).origin == "package"
    assert services.get_year_schedule(2027).origin == "none"
    services.load_calendar_file(schedule_2027_file)
    view = services.get_year_schedule(2027)
    assert (view.origin, view.source) == ("loaded", "test notice 2027")
    assert view.workdays == [D(2027, 2, 20), D(2027, 9, 26), D(2027, 10, 9)]
    assert len(view.holidays) == 3 + 9 + 7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"workdays": ["2027-01-02"]}, "both as holiday and as make-up"),
        ({"year": 1899}, "from 1900 to 2200"),
        ({"year": 2201}, "from 1900 to 2200"),
        ({"year": "2027"}, "from 1900 to 2200"),
        ({"year": True}, "from 1900 to 2200"),
        ({"holidays": ["2027-02-30"]}, "not a valid date"),
        ({"holidays": ["27-2-3"]}, "YYYY-MM-DD"),
        ({"holidays": ["2028-01-01"]}, "not in that year"),
        ({"holidays": ["2027-10-07/2027-10-01"]}, "run forwards"),
        ({"holidays": "2027-01-01"}, "must be a list"),
        ({"workdays": ["2027-02-22"]}, "Saturday or Sunday"),
        ({"holiday": []}, "Unknown keys"),
    ],
)
def test_r_wd_4_bad_schedules_are_refused_and_nothing_is_written(change, message):
    bad = {**copy.deepcopy(SCHEDULE_2027), **change}
    with pytest.raises(ScheduleError, match=message):
        services.load_calendar_data([{"year": 2028, "holidays": []}, bad])
    assert not CalendarYear.objects.exists()


def test_r_wd_4_a_year_listed_twice_or_a_bad_file_is_refused(tmp_path):
    with pytest.raises(ScheduleError, match="more than once"):
        services.load_calendar_data([SCHEDULE_2027, SCHEDULE_2027])
    broken = tmp_path / "broken.json"
    broken.write_text('{"year": 2027, "holidays": [', encoding="utf-8")
    with pytest.raises(ScheduleError, match="not valid JSON"):
        services.load_calendar_file(broken)
    with pytest.raises(ScheduleError, match="Cannot read"):
        services.load_calendar_file(tmp_path / "missing.json")
    assert not CalendarYear.objects.exists()


def test_r_wd_4_file_source_defaults_to_file_name(tmp_path):
    path = tmp_path / "guobanfa-2027.json"
    path.write_text(json.dumps({k: v for k, v in SCHEDULE_2027.items() if k != "source"}))
    services.load_calendar_file(path)
    assert CalendarYear.objects.get(year=2027).source == "guobanfa-2027.json"


def test_r_wd_4_another_process_sees_a_loaded_year_within_the_recheck_interval(
    settings, monkeypatch
):
    """A row written elsewhere (no invalidate() here) is used once the interval has passed."""
    settings.WORKDAYS_RECHECK_SECONDS = 30
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    assert services.is_working_day(D(2027, 1, 1)).is_working_day is True  # builds the table

    # As another process would: straight into the database, this process not told.
    CalendarYear.objects.create(
        year=2027, holidays=["2027-01-01"], workdays=[], loaded_at=dt.datetime.now(dt.UTC)
    )
    clock[0] += 29
    assert services.is_working_day(D(2027, 1, 1)).is_working_day is True  # still the old table
    clock[0] += 2
    answer = services.is_working_day(D(2027, 1, 1))
    assert (answer.is_working_day, answer.fallback) == (False, False)
