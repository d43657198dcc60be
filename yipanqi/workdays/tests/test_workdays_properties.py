"""Properties of the calendar and agreement of the batch API with the one-date API."""

import datetime as dt

import chinese_calendar
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yipanqi.workdays import services
from yipanqi.workdays.table import WorkdayTable

D = dt.date
# The table the services build with no year loaded, without needing the database.
TABLE: WorkdayTable = services._build_table(())

any_day = st.dates(min_value=D(1900, 1, 1), max_value=D(2190, 12, 31))
package_day = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 9, 30))
count = st.integers(min_value=0, max_value=400)


def reference_add(start: dt.date, n: int) -> dt.date:
    """R-WD-1 spelled out day by day with the package's own is_workday."""
    day, found = start, 0
    while found < n:
        day += dt.timedelta(days=1)
        found += chinese_calendar.is_workday(day)
    return day


@settings(max_examples=300, deadline=None)
@given(package_day, st.integers(min_value=0, max_value=60))
def test_r_wd_1_agrees_with_day_by_day_count_over_package_years(start, n):
    assert TABLE.add(start, n) == reference_add(start, n)


@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)))
def test_r_wd_1_is_working_day_agrees_with_the_package(day):
    assert TABLE.is_working_day(day) == chinese_calendar.is_workday(day)


@given(st.dates(min_value=D(2027, 1, 1), max_value=D(2200, 12, 31)))
def test_r_wd_4_unknown_years_are_weekends_only(day):
    assert TABLE.is_working_day(day) == (day.weekday() < 5)
    assert TABLE.years_without_schedule(day.year, day.year) == [day.year]


@given(any_day, st.integers(min_value=1, max_value=400))
def test_r_wd_1_the_answer_is_a_later_working_day_n_working_days_on(start, n):
    result = TABLE.add(start, n)
    assert result > start
    assert TABLE.is_working_day(result)
    assert TABLE.between(start, result) == n
    # The day before the answer still leaves one working day to go.
    assert TABLE.between(start, result - dt.timedelta(days=1)) == n - 1


@given(any_day, any_day, count)
def test_r_wd_1_monotonic_in_start_and_in_n(a, b, n):
    early, late = sorted((a, b))
    assert TABLE.add(early, n) <= TABLE.add(late, n)
    assert TABLE.add(a, n) < TABLE.add(a, n + 1)


@given(any_day, any_day)
def test_r_wd_1_between_is_antisymmetric(a, b):
    assert TABLE.between(a, b) == -TABLE.between(b, a)


@given(st.dates(min_value=D(1900, 1, 2), max_value=D(2200, 12, 1)))
def test_r_wd_3_next_working_day_on_or_after_is_the_first_working_day(day):
    result = TABLE.next_working_day_on_or_after(day)
    assert result >= day
    assert TABLE.is_working_day(result)
    # Exactly one working day from day to result, both included: result itself.
    assert TABLE.between(day - dt.timedelta(days=1), result) == 1


@pytest.mark.django_db
def test_r_wd_1_batch_agrees_with_scalar_on_random_inputs():
    rng = np.random.default_rng(20260928)
    first, last = np.datetime64("1990-01-01"), np.datetime64("2190-01-01")
    starts = first + rng.integers(0, (last - first).astype(np.int64), 20_000)
    ns = rng.integers(0, 400, 20_000)

    batch = services.add_batch(starts, ns)

    years: set[int] = set()
    for start, n, got, fell_back in zip(
        starts.tolist(), ns.tolist(), batch.dates.tolist(), batch.fallback.tolist(), strict=True
    ):
        answer = services.add_working_days(start, n)
        assert (got, fell_back) == (answer.date, answer.fallback), (start, n)
        years.update(answer.years_without_schedule)
    assert batch.years_without_schedule == sorted(years)


@pytest.mark.django_db
def test_r_wd_1_batch_accepts_dates_and_a_single_n():
    starts = [D(2026, 9, 28), D(2026, 10, 3), D(2026, 12, 28)]
    batch = services.add_batch(starts, 15)
    assert batch.dates.tolist() == [D(2026, 10, 23), D(2026, 10, 27), D(2027, 1, 18)]
    assert batch.fallback.tolist() == [False, False, True]
    assert batch.years_without_schedule == [2027]
    assert services.add_batch(starts, 0).dates.tolist() == starts
    assert services.add_batch([], 3).dates.size == 0


@pytest.mark.django_db
def test_r_wd_1_batch_refuses_negative_n_and_out_of_range_dates():
    with pytest.raises(ValueError):
        services.add_batch([D(2026, 1, 1)], -1)
    with pytest.raises(ValueError):
        services.add_batch([D(2026, 1, 1)], np.array([3, -1]))
    with pytest.raises(ValueError, match="outside"):
        services.add_batch([D(1899, 1, 1)], 1)
    with pytest.raises(ValueError, match="outside"):
        services.add_batch([D(2200, 12, 30)], 5)
    with pytest.raises(ValueError):
        services.add_batch(np.array(["NaT"], dtype="datetime64[D]"), 1)
