"""Working days (工作日, DOMAIN.md section 5): the calendar other modules ask, and its loading.

Answers come from one in-process table (see table.py) built from the chinese-calendar package
and the years administrators loaded (CalendarYear rows, which replace the package's year).
No call touches the database except, at most every WORKDAYS_RECHECK_SECONDS (default 30) per
process, one small query to notice a year another process loaded; the loading process itself
rebuilds at once through `invalidate()`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.core.clock import CHINA_TZ, local_date
from yipanqi.workdays.models import CalendarYear
from yipanqi.workdays.schedule import (
    ScheduleError,
    YearSchedule,
    parse_schedule,
    read_schedule_file,
)
from yipanqi.workdays.table import (
    FIRST_YEAR,
    LAST_YEAR,
    BatchResult,
    WorkdayRangeError,
    WorkdayTable,
)

__all__ = [
    "BatchResult",
    "CountAnswer",
    "DayAnswer",
    "ScheduleError",
    "WorkdayAnswer",
    "WorkdayRangeError",
    "add_batch",
    "add_working_days",
    "deadline_for_day_of_month",
    "end_of_day",
    "get_year_schedule",
    "invalidate",
    "is_working_day",
    "load_calendar_file",
    "load_calendar_years",
    "working_days_between",
    "working_days_left",
]

PACKAGE_SOURCE = "chinese-calendar"
DEFAULT_RECHECK_SECONDS = 30.0


# --- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkdayAnswer:
    """A date, with whether a year on the way had to be counted with weekends only (R-WD-4)."""

    date: dt.date
    fallback: bool
    years_without_schedule: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CountAnswer:
    """A number of working days, with the R-WD-4 fallback flag."""

    days: int
    fallback: bool
    years_without_schedule: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class DayAnswer:
    """Whether one date is a working day, with the R-WD-4 fallback flag."""

    date: dt.date
    is_working_day: bool
    fallback: bool
    years_without_schedule: list[int] = field(default_factory=list)


# --- the table, built once per process ------------------------------------------------------------


def _package_years() -> set[int]:
    years = [d.year for d in chinese_calendar.holidays]
    return set(range(min(years), max(years) + 1))


def _loaded_rows() -> tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]:
    # Comparing the whole content (a few rows, a few hundred dates) catches every kind of
    # change, including edits that bypass the load service, for the cost of one tiny query.
    return tuple(
        (year, tuple(holidays), tuple(workdays))
        for year, holidays, workdays in CalendarYear.objects.order_by("year").values_list(
            "year", "holidays", "workdays"
        )
    )


def _build_table(rows: Sequence[tuple[int, Sequence[str], Sequence[str]]]) -> WorkdayTable:
    loaded_years = {year for year, _h, _w in rows}
    holidays = [d for d in chinese_calendar.holidays if d.year not in loaded_years]
    workdays = [d for d in chinese_calendar.workdays if d.year not in loaded_years]
    for _year, year_holidays, year_workdays in rows:
        holidays.extend(dt.date.fromisoformat(d) for d in year_holidays)
        workdays.extend(dt.date.fromisoformat(d) for d in year_workdays)
    return WorkdayTable.build(holidays, workdays, _package_years() | loaded_years)


class _TableCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: WorkdayTable | None = None
        self._rows: tuple | None = None
        self._checked_at = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._table = None
            self._rows = None

    def get(self) -> WorkdayTable:
        table = self._table
        now = time.monotonic()
        recheck = getattr(settings, "WORKDAYS_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS)
        if table is not None and now - self._checked_at < recheck:
            return table
        with self._lock:
            rows = _loaded_rows()
            if self._table is None or rows != self._rows:
                self._table = _build_table(rows)
                self._rows = rows
            self._checked_at = now
            return self._table


_cache = _TableCache()


def invalidate() -> None:
    """Forget this process's table; the next question rebuilds it from package and database."""
    _cache.invalidate()


def get_table() -> WorkdayTable:
    """The current working-day table (for batch users and the bench)."""
    return _cache.get()


# --- questions ----------------------------------------------------------------------------------


def end_of_day(day: dt.date) -> dt.datetime:
    """The aware instant day ends in Beijing (next midnight): a deadline's `due_at`, exclusive."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=CHINA_TZ)


def add_working_days(start: dt.date | dt.datetime, n: int) -> WorkdayAnswer:
    """The n-th working day after start (R-WD-1); start's own date when n is 0.

    Counting begins the day after start whatever start is: from Saturday, n=1 is Monday (in a
    normal week). A datetime, such as the delivery moment of a request (R-WD-2), counts from
    its date in Beijing time.
    """
    day = local_date(start)
    table = get_table()
    result = table.add(day, n)
    missing = table.years_without_schedule(day.year, result.year)
    return WorkdayAnswer(result, bool(missing), missing)


def working_days_between(start: dt.date, end: dt.date) -> CountAnswer:
    """Working days in (start, end]: start excluded, end included; negative if end < start.

    So `working_days_between(d, add_working_days(d, n).date) == n`.
    """
    table = get_table()
    days = table.between(start, end)
    low, high = sorted((start.year, end.year))
    missing = table.years_without_schedule(low, high)
    return CountAnswer(days, bool(missing), missing)


def is_working_day(day: dt.date) -> DayAnswer:
    """Whether day is a working day (make-up days count, holidays and weekends do not)."""
    table = get_table()
    missing = table.years_without_schedule(day.year, day.year)
    return DayAnswer(day, table.is_working_day(day), bool(missing), missing)


def deadline_for_day_of_month(year: int, month: int, day: int) -> WorkdayAnswer:
    """The deadline "by the day-th of month": that date, or the next working day (R-WD-3).

    A day past the month's end (the 31st of April) means the month's last day.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= month <= 12 or not 1 <= day <= 31:
        raise ValueError(
            _("There is no day %(day)d of month %(month)d of year %(year)d.")
            % {"day": day, "month": month, "year": year}
        )
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    nominal = min(
        dt.date(year, month, 1) + dt.timedelta(days=day - 1), next_month - dt.timedelta(1)
    )
    table = get_table()
    # R-WD-3: 遇休息日顺延, a deadline on a rest day moves to the next working day.
    result = table.next_working_day_on_or_after(nominal)
    missing = table.years_without_schedule(nominal.year, result.year)
    return WorkdayAnswer(result, bool(missing), missing)


def working_days_left(due: dt.date, today: dt.date) -> CountAnswer:
    """Working days left until due: those in (today, due]; 0 on the due day, negative overdue.

    Overdue, it is minus the working days in (due, today]: a Friday deadline seen the next
    Monday gives -1.
    """
    return working_days_between(today, due)


def add_batch(
    starts: np.ndarray | Sequence[dt.date], n: int | np.ndarray | Sequence[int]
) -> BatchResult:
    """Vectorised add_working_days over many start dates (datetime64[D] array or dates)."""
    if not isinstance(starts, np.ndarray):
        starts = np.array(list(starts), dtype="datetime64[D]")
    if not isinstance(n, int | np.integer):
        n = np.asarray(n, dtype=np.int64)
    return get_table().add_batch(starts, n)


# --- schedules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearView:
    """What the platform knows of one year, for `calendar show`."""

    year: int
    origin: str  # "loaded", "package" or "none" (weekends only)
    source: str
    holidays: list[tuple[dt.date, str]]  # (date, name); names only from the package
    workdays: list[dt.date]
    loaded_at: dt.datetime | None = None


def get_year_schedule(year: int) -> YearView:
    """The schedule the platform uses for year, and where it comes from."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise WorkdayRangeError(
            _("The year must be from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    row = CalendarYear.objects.filter(year=year).first()
    if row is not None:
        return YearView(
            year=year,
            origin="loaded",
            source=row.source,
            holidays=[(dt.date.fromisoformat(d), "") for d in row.holidays],
            workdays=[dt.date.fromisoformat(d) for d in row.workdays],
            loaded_at=row.loaded_at,
        )
    if year in _package_years():
        return YearView(
            year=year,
            origin="package",
            source=PACKAGE_SOURCE,
            holidays=sorted((d, n) for d, n in chinese_calendar.holidays.items() if d.year == year),
            workdays=sorted(d for d in chinese_calendar.workdays if d.year == year),
        )
    return YearView(year=year, origin="none", source="", holidays=[], workdays=[])


@dataclass(frozen=True)
class LoadResult:
    """What loading did to one year: "created", "updated" or "unchanged"."""

    year: int
    action: str
    holidays: int
    workdays: int


def load_calendar_years(
    schedules: Sequence[YearSchedule], *, acting_user=None, default_source: str = ""
) -> list[LoadResult]:
    """Store official schedules (R-WD-4), all or none; an identical year is left untouched."""
    results = []
    with transaction.atomic():
        for schedule in schedules:
            values = {
                "holidays": [d.isoformat() for d in schedule.holidays],
                "workdays": [d.isoformat() for d in schedule.workdays],
                "source": schedule.source or default_source,
            }
            row = CalendarYear.objects.select_for_update().filter(year=schedule.year).first()
            if row is None:
                CalendarYear.objects.create(
                    year=schedule.year, loaded_at=timezone.now(), loaded_by=acting_user, **values
                )
                action = "created"
            elif all(getattr(row, key) == value for key, value in values.items()):
                action = "unchanged"
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                row.loaded_at = timezone.now()
                row.loaded_by = acting_user
                row.save(update_fields=[*values, "loaded_at", "loaded_by"])
                action = "updated"
            results.append(
                LoadResult(schedule.year, action, len(schedule.holidays), len(schedule.workdays))
            )
    # This process answers from the new schedule at once; others within the recheck interval.
    invalidate()
    return results


def load_calendar_file(path: str | Path, *, acting_user=None) -> list[LoadResult]:
    """Validate and store a schedule file (format in schedule.py); ScheduleError if invalid."""
    schedules = read_schedule_file(path)
    return load_calendar_years(
        schedules, acting_user=acting_user, default_source=Path(path).name[:200]
    )


def load_calendar_data(data: object, *, acting_user=None, source: str = "") -> list[LoadResult]:
    """Validate and store decoded schedule JSON (one year's object or a list)."""
    return load_calendar_years(parse_schedule(data), acting_user=acting_user, default_source=source)
