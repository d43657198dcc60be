"""Working-day arithmetic over a precomputed day table, free of Django and of the database.

Days are numbered as numpy's datetime64[D] does (days since 1970-01-01), so a batch of
datetime64[D] values needs no conversion. The table holds, for every day it covers, how many
working days there are up to and including that day (its rank); "N working days after D" is then
two array look-ups, for one date or for millions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

FIRST_YEAR = 1900
LAST_YEAR = 2200
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1).toordinal() - EPOCH_ORDINAL
LAST_DAY = dt.date(LAST_YEAR, 12, 31).toordinal() - EPOCH_ORDINAL


class WorkdayRangeError(ValueError):
    """A date, or the answer to a question, lies outside the years the table covers."""


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01, the integer behind numpy's datetime64[D]."""
    return d.toordinal() - EPOCH_ORDINAL


def from_day_number(n: int) -> dt.date:
    """The date for a day number."""
    return dt.date.fromordinal(n + EPOCH_ORDINAL)


def _range_error(value: object) -> WorkdayRangeError:
    return WorkdayRangeError(
        _("%(value)s is outside the calendar's range (years %(first)d to %(last)d).")
        % {"value": value, "first": FIRST_YEAR, "last": LAST_YEAR}
    )


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Answers to a batch of "N working days after D" questions."""

    dates: np.ndarray  # datetime64[D], one per input
    fallback: np.ndarray  # bool, per input: a year on the way had no official schedule
    years_without_schedule: list[int]  # every such year touched by any element

    @property
    def any_fallback(self) -> bool:
        return bool(self.years_without_schedule)


class WorkdayTable:
    """Immutable working-day table for FIRST_YEAR..LAST_YEAR; build it with `WorkdayTable.build`."""

    def __init__(self, is_working: np.ndarray, known_years: Iterable[int]) -> None:
        count = LAST_DAY - FIRST_DAY + 1
        if is_working.shape != (count,):
            raise ValueError("is_working must have one flag per day from FIRST_DAY to LAST_DAY")
        self.known_years = frozenset(known_years)
        days = np.arange(FIRST_DAY, LAST_DAY + 1, dtype=np.int64)
        # Sorted day numbers of the working days: the table of record, also the bench baseline.
        self.working_days = days[is_working]
        # rank[i]: working days on or before day FIRST_DAY + i, i.e. bisect_right(working_days).
        self.rank = np.cumsum(is_working, dtype=np.int32)
        year_of_day = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        self.year_index = (year_of_day - FIRST_YEAR).astype(np.int16)
        unknown = np.array(
            [y not in self.known_years for y in range(FIRST_YEAR, LAST_YEAR + 1)], dtype=bool
        )
        self.unknown_year = unknown
        # unknown_before[k]: years without a schedule among the first k years of the range.
        self.unknown_before = np.concatenate(([0], np.cumsum(unknown, dtype=np.int32)))
        # Plain Python copies: indexing a list is several times faster than a numpy scalar.
        self._working_list: list[int] = self.working_days.tolist()
        self._rank_list: list[int] = self.rank.tolist()
        self._is_working = is_working.tobytes()

    @classmethod
    def build(
        cls,
        holidays: Iterable[dt.date],
        workdays: Iterable[dt.date],
        known_years: Iterable[int],
    ) -> WorkdayTable:
        """A table where weekends rest, `holidays` rest and make-up `workdays` are worked."""
        days = np.arange(FIRST_DAY, LAST_DAY + 1, dtype=np.int64)
        # 1970-01-01 was a Thursday: (day + 3) % 7 gives Monday = 0 .. Sunday = 6.
        is_working = (days + 3) % 7 < 5
        for flag, dates in ((False, holidays), (True, workdays)):
            offsets = [day_number(d) - FIRST_DAY for d in dates]
            offsets = [o for o in offsets if 0 <= o < len(days)]
            is_working[np.array(offsets, dtype=np.int64)] = flag
        return cls(is_working, known_years)

    # --- single dates -------------------------------------------------------------------------

    def _offset(self, d: dt.date) -> int:
        offset = d.toordinal() - EPOCH_ORDINAL - FIRST_DAY
        if not 0 <= offset <= LAST_DAY - FIRST_DAY:
            raise _range_error(d)
        return offset

    def years_without_schedule(self, first_year: int, last_year: int) -> list[int]:
        """Years in first_year..last_year (inclusive) that have no official schedule."""
        return [y for y in range(first_year, last_year + 1) if y not in self.known_years]

    def is_working_day(self, d: dt.date) -> bool:
        """Whether d is a working day."""
        return bool(self._is_working[self._offset(d)])

    def add(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day counted from the day after d (R-WD-1); d itself when n is 0."""
        if n < 0:
            raise ValueError(_("The number of working days must not be negative."))
        offset = self._offset(d)
        if n == 0:
            return d
        # Working days on or before d, so the first one after d has this index.
        index = self._rank_list[offset] + n - 1
        if index >= len(self._working_list):
            raise _range_error(d)
        return from_day_number(self._working_list[index])

    def between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative, -between(b, a), when b is before a."""
        return self._rank_list[self._offset(b)] - self._rank_list[self._offset(a)]

    def next_working_day_on_or_after(self, d: dt.date) -> dt.date:
        """d if it is a working day, else the first working day after it (R-WD-3)."""
        offset = self._offset(d)
        if self._is_working[offset]:
            return d
        return self.add(d, 1)

    # --- batches ------------------------------------------------------------------------------

    def add_batch(self, starts: np.ndarray, n: int | np.ndarray) -> BatchResult:
        """Vectorised `add` over an array of datetime64[D] start dates."""
        starts = np.asarray(starts)
        if starts.dtype != np.dtype("datetime64[D]"):
            starts = starts.astype("datetime64[D]")
        day = starts.view(np.int64)
        if day.size == 0:
            return BatchResult(starts.copy(), np.zeros(0, dtype=bool), [])
        if np.isnat(starts).any():
            raise ValueError(_("A start date is missing (NaT)."))
        low, high = int(day.min()), int(day.max())
        if low < FIRST_DAY:
            raise _range_error(from_day_number(low))
        if high > LAST_DAY:
            raise _range_error(from_day_number(high))
        offsets = day - FIRST_DAY
        scalar_n = np.ndim(n) == 0
        n_arr = np.asarray(n, dtype=np.int64)
        if (n_arr < 0).any():
            raise ValueError(_("The number of working days must not be negative."))

        index = self.rank[offsets] + (n_arr - 1)
        if scalar_n and int(n_arr) == 0:
            result = day.copy()
        else:
            if int(index.max()) >= len(self.working_days):
                raise _range_error(from_day_number(high))
            if scalar_n:
                result = self.working_days[index]
            else:
                zero = n_arr == 0
                result = self.working_days[np.where(zero, 0, index)]
                result = np.where(zero, day, result)

        # The years a computation touched are those from its start's to its result's.
        first_year = self.year_index[offsets]
        last_year = self.year_index[result - FIRST_DAY]
        unknown_seen = self.unknown_before[last_year + 1] - self.unknown_before[first_year]
        fallback = unknown_seen > 0
        years: list[int] = []
        if fallback.any():
            span = LAST_YEAR - FIRST_YEAR + 2
            starts_at = np.bincount(first_year[fallback], minlength=span)
            ends_after = np.bincount(last_year[fallback] + 1, minlength=span)
            covered = np.cumsum(starts_at - ends_after)[: span - 1] > 0
            years = (np.flatnonzero(covered & self.unknown_year) + FIRST_YEAR).tolist()
        return BatchResult(result.view("datetime64[D]"), fallback, years)
