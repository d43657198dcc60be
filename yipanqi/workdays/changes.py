"""Loading a year's holiday schedule from the web (R-WD-4): what it would change, then the change.

`preview_schedule` compares the schedule with the one in use: the days that become working days
or rest days, and the open deadlines that would move because they were counted in working days
across that year. The apps above that count deadlines in working days (exchange requests,
complaints) name theirs with `register_deadline_source`, from their hooks.py, so workdays
imports none of them. `apply_schedule` stores the year and moves
those deadlines in one transaction, with one audit row. Only the system administrator loads a
schedule (`may_load_schedule`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar
from django.db import transaction
from django.utils.translation import gettext as _

from yipanqi.accounts.models import Role
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.workdays import services
from yipanqi.workdays.schedule import ScheduleError, YearSchedule
from yipanqi.workdays.table import FIRST_YEAR, LAST_YEAR, WorkdayRangeError, WorkdayTable


def may_load_schedule(user) -> bool:
    """R-WD-4: the system administrator (三员分立: not the security administrator or auditor)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.SYSTEM_ADMIN


@dataclass(frozen=True)
class DeadlineSource:
    """Open items with a due date counted in working days from a start (`deadline_days` and
    `due_on` on each row).

    `open_items(first, last)` yields (row, start day) for the open rows due on `first` or later
    that started on `last` or earlier; `label(row)` is what a person recognizes the row by;
    `move(row, new_due, fallback)` moves one row's due date if it is still `row.due_on`, with
    the counters that follow it (R-STAT-1), and says whether it did.
    """

    name: str
    open_items: Callable[[dt.date, dt.date], Iterable[tuple[Any, dt.date]]]
    label: Callable[[Any], str]
    move: Callable[[Any, dt.date, bool], bool]


_sources: dict[str, DeadlineSource] = {}


def register_deadline_source(
    name: str,
    *,
    open_items: Callable[[dt.date, dt.date], Iterable[tuple[Any, dt.date]]],
    label: Callable[[Any], str],
    move: Callable[[Any, dt.date, bool], bool],
) -> None:
    """Name a kind of open deadline a newly loaded schedule moves (R-WD-4); `name` is the
    MovedDeadline kind ("request", "complaint")."""
    _sources[name] = DeadlineSource(name, open_items, label, move)


def deadline_sources() -> list[DeadlineSource]:
    return list(_sources.values())


@dataclass(frozen=True)
class MovedDeadline:
    kind: str  # a deadline source's name: "request" or "complaint"
    id: int
    label: str  # what a person recognizes it by (reference, type and units)
    start: dt.date
    days: int
    old_due: dt.date
    new_due: dt.date


@dataclass
class SchedulePreview:
    schedule: YearSchedule
    origin: str  # what is in use now: "loaded", "package" or "none" (weekends only)
    became_working: list[dt.date] = field(default_factory=list)
    became_rest: list[dt.date] = field(default_factory=list)
    moved: list[MovedDeadline] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        return not (self.became_working or self.became_rest or self.moved)


def schedule_from_package(year: int) -> YearSchedule:
    """The chinese-calendar package's days off and make-up days of a year it knows."""
    holidays = tuple(sorted(d for d in chinese_calendar.holidays if d.year == year))
    workdays = tuple(sorted(d for d in chinese_calendar.workdays if d.year == year))
    if not holidays:
        raise ScheduleError(
            _(
                "The chinese-calendar package has no schedule for %(year)s. Paste or upload "
                "the State Council's notice for that year instead."
            )
            % {"year": year}
        )
    return YearSchedule(year, holidays, workdays, services.PACKAGE_SOURCE)


def _candidate_table(schedule: YearSchedule) -> WorkdayTable:
    rows = [r for r in services._loaded_rows() if r[0] != schedule.year]
    rows.append(
        (
            schedule.year,
            [d.isoformat() for d in schedule.holidays],
            [d.isoformat() for d in schedule.workdays],
        )
    )
    return services._build_table(rows)


def _open_items(year: int):
    """Open items of every source whose working-day count may cross `year`: due in it or
    later, started in it or earlier. Each as (source, row, start date)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for source in deadline_sources():
        for row, start in source.open_items(first, last):
            yield source, row, start


def _moves(current: WorkdayTable, candidate: WorkdayTable, year: int):
    """Items whose due date, counted again on the candidate calendar, differs. A due date the
    current calendar does not give (set by hand in coordination, or restarted on escalation)
    is not a count from its start, so it is left as it is."""
    for source, row, start in _open_items(year):
        try:
            if current.add(start, row.deadline_days) != row.due_on:
                continue
            new_due = candidate.add(start, row.deadline_days)
        except (WorkdayRangeError, ValueError):
            continue
        if new_due != row.due_on:
            yield source, row, start, new_due


def _parse_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ScheduleError(
            _("The year must be from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


def preview_schedule(schedule: YearSchedule) -> SchedulePreview:
    """What loading `schedule` would change; nothing is written."""
    _parse_year(schedule.year)
    current = services.get_table()
    candidate = _candidate_table(schedule)
    preview = SchedulePreview(schedule, services.get_year_schedule(schedule.year).origin)
    day = dt.date(schedule.year, 1, 1)
    while day.year == schedule.year:
        before, after = current.is_working_day(day), candidate.is_working_day(day)
        if after and not before:
            preview.became_working.append(day)
        elif before and not after:
            preview.became_rest.append(day)
        day += dt.timedelta(days=1)
    preview.moved = [
        MovedDeadline(
            source.name, row.pk, source.label(row), start, row.deadline_days, row.due_on, due
        )
        for source, row, start, due in _moves(current, candidate, schedule.year)
    ]
    return preview


@dataclass(frozen=True)
class AppliedSchedule:
    result: services.LoadResult
    moved_requests: int
    moved_complaints: int


def apply_schedule(
    schedule: YearSchedule, *, acting_user, origin: Origin | None = None
) -> AppliedSchedule:
    """Store the year's schedule (R-WD-4) and move the open deadlines counted across it, in one
    transaction with the audit row; the counters follow each moved request (R-STAT-1)."""
    if not may_load_schedule(acting_user):
        raise PermissionError("only the system administrator loads a schedule")
    _parse_year(schedule.year)
    with transaction.atomic():
        current = services.get_table()
        candidate = _candidate_table(schedule)
        moved = {"request": 0, "complaint": 0} | {s.name: 0 for s in deadline_sources()}
        for source, row, start, new_due in list(_moves(current, candidate, schedule.year)):
            fallback = bool(candidate.years_without_schedule(start.year, new_due.year))
            if source.move(row, new_due, fallback):
                moved[source.name] += 1
        (result,) = services.load_calendar_years(
            [schedule], acting_user=acting_user, default_source=schedule.source
        )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="calendar_year",
            object_id=schedule.year,
            detail={
                "event": "schedule_loaded",
                "action": result.action,
                "source": schedule.source[:200],
                "holidays": len(schedule.holidays),
                "workdays": len(schedule.workdays),
                "moved_requests": moved["request"],
                "moved_complaints": moved["complaint"],
            },
        )
    services.invalidate()
    return AppliedSchedule(result, moved["request"], moved["complaint"])
