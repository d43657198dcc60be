"""One year's official schedule (放假安排) and the JSON file an administrator loads it from.

File format (UTF-8 JSON): one object, or a list of objects, each
    {"year": 2027,
     "source": "国务院办公厅关于2027年部分节假日安排的通知",   (optional)
     "holidays": ["2027-01-01", "2027-10-01/2027-10-07", ...],
     "workdays": ["2027-09-26", ...]}
`holidays` are the official days off (weekend days inside a holiday may be listed or not);
`workdays` are the make-up working days (调休上班日), each a Saturday or Sunday. An entry is a
date YYYY-MM-DD or an inclusive range START/END. Every date lies in the object's year.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from yipanqi.workdays.table import FIRST_YEAR, LAST_YEAR

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ALLOWED_KEYS = {"year", "source", "holidays", "workdays"}
# A generous bound on the days in one range: the longest official break is 9 days.
MAX_RANGE_DAYS = 31


class ScheduleError(ValueError):
    """A schedule file or entry that cannot be loaded; the message is for the administrator."""


@dataclass(frozen=True)
class YearSchedule:
    """The official days off and make-up working days of one year."""

    year: int
    holidays: tuple[dt.date, ...]
    workdays: tuple[dt.date, ...]
    source: str = ""

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "source": self.source,
            "holidays": [d.isoformat() for d in self.holidays],
            "workdays": [d.isoformat() for d in self.workdays],
        }


def parse_date(text: object) -> dt.date:
    """A strict YYYY-MM-DD date; ScheduleError otherwise."""
    if not isinstance(text, str) or not ISO_DATE.match(text):
        raise ScheduleError(_("%(value)r is not a date in the form YYYY-MM-DD.") % {"value": text})
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ScheduleError(_("%(value)r is not a valid date.") % {"value": text}) from None


def _expand(entry: object) -> list[dt.date]:
    if isinstance(entry, str) and "/" in entry:
        start_text, _sep, end_text = entry.partition("/")
        start, end = parse_date(start_text), parse_date(end_text)
        if not 0 <= (end - start).days < MAX_RANGE_DAYS:
            raise ScheduleError(
                _("The range %(value)r must run forwards and span at most %(max)d days.")
                % {"value": entry, "max": MAX_RANGE_DAYS}
            )
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [parse_date(entry)]


def _dates(raw: dict, key: str, year: int) -> tuple[dt.date, ...]:
    entries = raw.get(key, [])
    if not isinstance(entries, list):
        raise ScheduleError(
            _("%(year)d: %(key)s must be a list of dates.") % {"year": year, "key": key}
        )
    found: set[dt.date] = set()
    for entry in entries:
        for d in _expand(entry):
            if d.year != year:
                raise ScheduleError(
                    _("%(year)d: %(date)s is not in that year.") % {"year": year, "date": d}
                )
            found.add(d)
    return tuple(sorted(found))


def parse_year(raw: object) -> YearSchedule:
    """Validate one year's object from a schedule file."""
    if not isinstance(raw, dict):
        raise ScheduleError(_("Each year must be a JSON object with year, holidays and workdays."))
    unknown = sorted(set(raw) - ALLOWED_KEYS)
    if unknown:
        raise ScheduleError(
            _("Unknown keys: %(keys)s (expected year, source, holidays, workdays).")
            % {"keys": ", ".join(unknown)}
        )
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ScheduleError(
            _("The year must be a whole number from %(first)d to %(last)d, not %(value)r.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR, "value": year}
        )
    if "holidays" not in raw:
        raise ScheduleError(_("%(year)d: the holidays list is missing.") % {"year": year})
    source = raw.get("source", "")
    if not isinstance(source, str) or len(source) > 200:
        raise ScheduleError(
            _("%(year)d: source must be text of at most 200 characters.") % {"year": year}
        )
    holidays = _dates(raw, "holidays", year)
    workdays = _dates(raw, "workdays", year)
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise ScheduleError(
            _("%(year)d: %(dates)s listed both as holiday and as make-up working day.")
            % {"year": year, "dates": ", ".join(d.isoformat() for d in both)}
        )
    weekdays = [d for d in workdays if d.weekday() < 5]
    if weekdays:
        # A make-up working day on a weekday changes nothing, so it is almost surely a typo.
        raise ScheduleError(
            _("%(year)d: make-up working days must be a Saturday or Sunday: %(dates)s.")
            % {"year": year, "dates": ", ".join(d.isoformat() for d in weekdays)}
        )
    return YearSchedule(year=year, holidays=holidays, workdays=workdays, source=source.strip())


def parse_schedule(data: object) -> list[YearSchedule]:
    """Validate decoded JSON: one year's object or a list of them, each year at most once."""
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ScheduleError(_("The file holds no year."))
    schedules = [parse_year(item) for item in items]
    years = [s.year for s in schedules]
    repeated = sorted({y for y in years if years.count(y) > 1})
    if repeated:
        raise ScheduleError(
            _("Years listed more than once: %(years)s.")
            % {"years": ", ".join(str(y) for y in repeated)}
        )
    return schedules


def read_schedule_file(path: str | Path) -> list[YearSchedule]:
    """Read and validate a schedule file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleError(
            _("%(path)s is not valid JSON: %(error)s") % {"path": path, "error": exc}
        ) from None
    return parse_schedule(data)
