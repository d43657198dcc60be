"""Statistical periods: a month, a quarter or a year, parsed from '2026-03', '2026-Q1', '2026'."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4])))?$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


class PeriodInvalid(ValueError):
    """Text that is not a period; the message says what is expected."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year
    start: dt.date  # first day
    end: dt.date  # first day after

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)s") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        return _("%(month)s/%(year)s") % {"month": self.start.month, "year": self.start.year}

    def months(self) -> list[dt.date]:
        """First days of the months in the period."""
        result, day = [], self.start
        while day < self.end:
            result.append(day)
            day = next_month(day)
        return result

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    def previous(self) -> "Period":
        if self.kind == "year":
            return year(self.start.year - 1)
        months = 3 if self.kind == "quarter" else 1
        start = add_months(self.start, -months)
        return Period(self.kind, start, self.start)


def next_month(day: dt.date) -> dt.date:
    return add_months(day, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def year(value: int) -> Period:
    return Period("year", dt.date(value, 1, 1), dt.date(value + 1, 1, 1))


def parse_period(text: str | None, *, today: dt.date | None = None) -> Period:
    """The period named by text; the current year when text is empty. PeriodInvalid otherwise."""
    raw = (text or "").strip()
    if not raw:
        return year((today or dt.date.today()).year)  # noqa: DTZ011 (callers pass today)
    match = _PERIOD.match(raw)
    if not match:
        raise PeriodInvalid(
            _(
                "%(text)s is not a period: write a year (2026), a quarter (2026-Q1) or a month (2026-03)."
            )
            % {"text": raw[:20]}
        )
    value = int(match["year"])
    if not FIRST_YEAR <= value < LAST_YEAR:
        raise PeriodInvalid(
            _("The year must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR - 1}
        )
    if match["quarter"]:
        start = dt.date(value, (int(match["quarter"]) - 1) * 3 + 1, 1)
        return Period("quarter", start, add_months(start, 3))
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodInvalid(_("A month is a number from 1 to 12."))
        start = dt.date(value, month, 1)
        return Period("month", start, add_months(start, 1))
    return year(value)
