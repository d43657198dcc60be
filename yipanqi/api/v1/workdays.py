"""/api/v1/workdays/: the working-day calendar (R-WD-1..4). Rules live in yipanqi.workdays."""

import datetime as dt

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yipanqi.workdays import services

router = Router(tags=["workdays"])

# Far beyond any legal deadline, and it keeps every answer inside the calendar's range checks.
MAX_N = 10_000


class DateAnswerOut(Schema):
    date: dt.date
    fallback: bool
    years_without_schedule: list[int]


class CountAnswerOut(Schema):
    days: int
    fallback: bool
    years_without_schedule: list[int]


class DayAnswerOut(Schema):
    date: dt.date
    is_working_day: bool
    fallback: bool
    years_without_schedule: list[int]


def _ask(question, *args):
    try:
        return question(*args)
    except services.WorkdayRangeError as exc:  # the input's fault, not ours
        raise HttpError(422, str(exc)) from None


@router.get("/add", response=DateAnswerOut, summary="N working days after a date (R-WD-1)")
def add(request, date: dt.date, n: int = Query(..., ge=0, le=MAX_N)):
    """The n-th working day counted from the day after `date`; `date` itself for n=0."""
    return _ask(services.add_working_days, date, n)


@router.get("/between", response=CountAnswerOut, summary="Working days in (start, end]")
def between(request, start: dt.date, end: dt.date):
    """Working days after start up to and including end; negative when end is before start."""
    return _ask(services.working_days_between, start, end)


@router.get("/is-working-day", response=DayAnswerOut, summary="Whether a date is a working day")
def is_working_day(request, date: dt.date):
    """Whether `date` is a working day (make-up working days count)."""
    return _ask(services.is_working_day, date)


@router.get("/deadline", response=DateAnswerOut, summary="Deadline 'by the Nth of month' (R-WD-3)")
def deadline(
    request,
    year: int = Query(..., ge=1900, le=2200),
    month: int = Query(..., ge=1, le=12),
    day: int = Query(..., ge=1, le=31),
):
    """That day of the month, or the next working day when it is a rest day."""
    return _ask(services.deadline_for_day_of_month, year, month, day)
