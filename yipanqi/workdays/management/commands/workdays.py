"""`yipanqi workdays add|between|is|deadline ...`: ask the working-day calendar (R-WD-1..4)."""

import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yipanqi.workdays import services
from yipanqi.workdays.management.commands._common import date_arg, dumps, int_arg

MAX_N = 10_000
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Command(BaseCommand):
    help = _("Working-day arithmetic with the official holiday schedule.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help=_("The N-th working day after DATE."))
        add.add_argument("date", help="YYYY-MM-DD")
        add.add_argument("n")
        between = actions.add_parser(
            "between", help=_("Working days after START up to and including END.")
        )
        between.add_argument("start", help="YYYY-MM-DD")
        between.add_argument("end", help="YYYY-MM-DD")
        is_ = actions.add_parser("is", help=_("Whether DATE is a working day."))
        is_.add_argument("date", help="YYYY-MM-DD")
        deadline = actions.add_parser(
            "deadline",
            help=_("The deadline 'by day DAY of month YYYY-MM', moved off rest days."),
        )
        deadline.add_argument("month", help="YYYY-MM")
        deadline.add_argument("day")
        for sub in (add, between, is_, deadline):
            sub.add_argument("--json", action="store_true", help=_("Print a JSON object."))

    def handle(self, *args, action, **options):
        try:
            answer, text = getattr(self, "_" + action)(options)
        except ValueError as exc:  # bad dates, out of range; the message is for the user
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(dumps(_as_json(answer)))
            return
        self.stdout.write(text)
        if answer.fallback:
            # R-WD-4: never a silent guess; stderr keeps stdout usable in scripts.
            self.stderr.write(
                _(
                    "Note: no official schedule is loaded for %(years)s; "
                    "those years were counted with weekends only."
                )
                % {"years": ", ".join(str(y) for y in answer.years_without_schedule)}
            )

    def _add(self, options):
        answer = services.add_working_days(
            date_arg(options["date"]), int_arg(options["n"], "N", 0, MAX_N)
        )
        return answer, answer.date.isoformat()

    def _between(self, options):
        answer = services.working_days_between(date_arg(options["start"]), date_arg(options["end"]))
        return answer, str(answer.days)

    def _is(self, options):
        answer = services.is_working_day(date_arg(options["date"]))
        return answer, _("working day") if answer.is_working_day else _("rest day")

    def _deadline(self, options):
        match = YEAR_MONTH.match(options["month"])
        if not match:
            raise CommandError(
                _("%(value)r is not a month in the form YYYY-MM.") % {"value": options["month"]}
            )
        answer = services.deadline_for_day_of_month(
            int(match[1]), int(match[2]), int_arg(options["day"], "DAY", 1, 31)
        )
        return answer, answer.date.isoformat()


def _as_json(answer) -> dict:
    data = {}
    if isinstance(answer, services.CountAnswer):
        data["days"] = answer.days
    else:
        data["date"] = answer.date.isoformat()
    if isinstance(answer, services.DayAnswer):
        data["is_working_day"] = answer.is_working_day
    data["fallback"] = answer.fallback
    data["years_without_schedule"] = answer.years_without_schedule
    return data
