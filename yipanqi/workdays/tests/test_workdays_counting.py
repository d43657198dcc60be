"""Counting working days against the official State Council schedules of 2025 and 2026."""

import datetime as dt

import chinese_calendar
import pytest

from yipanqi.workdays.services import (
    add_working_days,
    deadline_for_day_of_month,
    end_of_day,
    is_working_day,
    working_days_between,
    working_days_left,
)

pytestmark = pytest.mark.django_db

D = dt.date


def test_r_wd_1_national_day_2026_crosses_holiday_and_make_up_saturday():
    """2026-09-28 (Mon) + 15: Sep 29, 30 (2); Oct 1-7 off; Oct 8, 9, Sat 10 (5);
    Oct 12-16 (10); Oct 19-23 (15)."""
    answer = add_working_days(D(2026, 9, 28), 15)
    assert answer.date == D(2026, 10, 23)
    assert answer.fallback is False
    assert answer.years_without_schedule == []


def test_r_wd_1_make_up_working_days_of_national_day_2026_count():
    # Sep 18 (Fri) + 1 is Sunday Sep 20, worked in exchange for the holiday.
    assert add_working_days(D(2026, 9, 18), 1).date == D(2026, 9, 20)
    assert add_working_days(D(2026, 10, 9), 1).date == D(2026, 10, 10)
    assert is_working_day(D(2026, 10, 10)).is_working_day is True
    assert is_working_day(D(2026, 10, 11)).is_working_day is False


def test_r_wd_1_spring_festival_2026_feb_15_to_23_with_feb_14_and_28_worked():
    assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 27), 1).date == D(2026, 2, 28)
    for day in range(15, 24):
        assert is_working_day(D(2026, 2, day)).is_working_day is False
    # Feb 14, 24, 25, 26, 27 and 28.
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)).days == 6


def test_r_wd_1_national_day_2025_oct_1_to_8_with_sep_28_and_oct_11_worked():
    assert add_working_days(D(2025, 9, 26), 1).date == D(2025, 9, 28)
    assert add_working_days(D(2025, 9, 30), 1).date == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 30), 3).date == D(2025, 10, 11)
    assert is_working_day(D(2025, 10, 8)).is_working_day is False


def test_r_wd_1_counts_from_day_after_rest_day():
    """From a rest day D the first working day after D is day 1 (not D's next working day + 1)."""
    assert add_working_days(D(2026, 3, 7), 1).date == D(2026, 3, 9)  # Sat -> Mon
    assert add_working_days(D(2026, 3, 8), 1).date == D(2026, 3, 9)  # Sun -> Mon
    assert add_working_days(D(2026, 10, 3), 1).date == D(2026, 10, 8)  # holiday -> Thu
    # chinese_calendar.find_workday counts the other way; this is why we do not use it.
    assert chinese_calendar.find_workday(1, D(2026, 10, 3)) == D(2026, 10, 9)


def test_r_wd_1_zero_days_is_the_date_itself_even_on_a_rest_day():
    assert add_working_days(D(2026, 10, 3), 0).date == D(2026, 10, 3)
    assert add_working_days(D(2026, 3, 4), 0).date == D(2026, 3, 4)


def test_r_wd_1_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 4), -1)


def test_r_wd_2_a_delivery_moment_counts_from_its_beijing_date():
    # 17:30 UTC on Sep 28 is 01:30 on Sep 29 in Beijing.
    delivered = dt.datetime(2026, 9, 28, 17, 30, tzinfo=dt.UTC)
    assert add_working_days(delivered, 1).date == D(2026, 9, 30)
    assert add_working_days(delivered, 0).date == D(2026, 9, 29)


def test_r_wd_2_a_due_date_ends_at_beijing_midnight():
    due_at = end_of_day(D(2026, 10, 23))
    assert due_at == dt.datetime(2026, 10, 23, 16, 0, tzinfo=dt.UTC)
    # A moment just before it still counts as the due day in Beijing.
    assert add_working_days(due_at - dt.timedelta(seconds=1), 0).date == D(2026, 10, 23)


def test_r_wd_2_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_days(dt.datetime(2026, 9, 28, 12, 0), 1)  # noqa: DTZ001


def test_r_wd_3_deadline_on_a_holiday_moves_to_next_working_day():
    # Oct 3 2026 is in the National Day break (Oct 1-7); Thursday Oct 8 is worked.
    assert deadline_for_day_of_month(2026, 10, 3).date == D(2026, 10, 8)
    # Feb 15 2026 opens the Spring Festival break (Feb 15-23).
    assert deadline_for_day_of_month(2026, 2, 15).date == D(2026, 2, 24)


def test_r_wd_3_deadline_on_a_weekend_moves_to_monday_and_a_working_day_stays():
    assert deadline_for_day_of_month(2026, 11, 1).date == D(2026, 11, 2)  # Sunday
    assert deadline_for_day_of_month(2026, 3, 3).date == D(2026, 3, 3)  # Tuesday
    # A make-up Saturday is a working day, so a deadline on it stays.
    assert deadline_for_day_of_month(2026, 2, 28).date == D(2026, 2, 28)


def test_r_wd_3_day_past_month_end_means_last_day_of_month():
    assert deadline_for_day_of_month(2026, 4, 31).date == D(2026, 4, 30)
    assert deadline_for_day_of_month(2026, 2, 31).date == D(2026, 2, 28)
    assert deadline_for_day_of_month(2026, 12, 31).date == D(2026, 12, 31)


def test_r_wd_3_impossible_month_or_day_is_refused():
    for year, month, day in [
        (2026, 13, 1),
        (2026, 0, 1),
        (2026, 1, 0),
        (2026, 1, 32),
        (1800, 1, 1),
    ]:
        with pytest.raises(ValueError):
            deadline_for_day_of_month(year, month, day)


def test_r_wd_1_between_counts_end_but_not_start_and_is_antisymmetric():
    assert working_days_between(D(2026, 9, 28), D(2026, 10, 23)).days == 15
    assert working_days_between(D(2026, 10, 23), D(2026, 9, 28)).days == -15
    assert working_days_between(D(2026, 3, 4), D(2026, 3, 4)).days == 0
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9)).days == 1  # Fri -> Mon


def test_r_wd_1_working_days_left_is_zero_on_due_day_and_negative_when_overdue():
    due = D(2026, 3, 6)  # a Friday
    assert working_days_left(due, today=D(2026, 3, 4)).days == 2
    assert working_days_left(due, today=due).days == 0
    assert working_days_left(due, today=D(2026, 3, 9)).days == -1  # the next Monday
    assert working_days_left(due, today=D(2026, 3, 7)).days == 0  # Saturday: not yet late


def test_r_wd_4_dates_before_2004_and_after_2026_fall_back_to_weekends_and_say_so():
    answer = add_working_days(D(2026, 12, 28), 15)
    # Dec 29-31 (3); Jan 1 2027, a Friday, counted as worked (4); Jan 4-8, 11-15 (14); Jan 18.
    assert answer.date == D(2027, 1, 18)
    assert answer.fallback is True
    assert answer.years_without_schedule == [2027]
    assert is_working_day(D(2003, 10, 1)).years_without_schedule == [2003]
    between = working_days_between(D(2028, 1, 5), D(2026, 12, 1))
    assert between.years_without_schedule == [2027, 2028]
    assert is_working_day(D(2026, 12, 31)).fallback is False


def test_r_wd_4_dates_outside_the_calendar_range_are_a_clear_error_not_a_crash():
    for question in (
        lambda: add_working_days(D(1899, 12, 31), 1),
        lambda: add_working_days(D(2200, 12, 30), 5),
        lambda: is_working_day(D(2201, 1, 1)),
        lambda: working_days_between(D(2026, 1, 1), D(2300, 1, 1)),
    ):
        with pytest.raises(ValueError, match="outside the calendar"):
            question()
