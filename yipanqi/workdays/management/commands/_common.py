"""Argument parsing shared by the `workdays` and `calendar` commands."""

import datetime as dt
import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from yipanqi.workdays.schedule import ScheduleError, parse_date


def date_arg(text: str) -> dt.date:
    """A YYYY-MM-DD argument, or a CommandError naming it."""
    try:
        return parse_date(text)
    except ScheduleError as exc:
        raise CommandError(str(exc)) from None


def int_arg(text: str, name: str, low: int, high: int) -> int:
    """A whole-number argument in low..high, or a CommandError naming it."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise CommandError(
            _("%(name)s must be a whole number from %(low)d to %(high)d, not %(value)r.")
            % {"name": name, "low": low, "high": high, "value": text}
        )
    return value


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
