"""`yipanqi calendar load FILE | show YEAR`: the official schedules the calendar uses (R-WD-4)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yipanqi.workdays import services
from yipanqi.workdays.management.commands._common import dumps, int_arg
from yipanqi.workdays.table import FIRST_YEAR, LAST_YEAR

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class Command(BaseCommand):
    help = _("Load or show official holiday schedules (放假安排).")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser(
            "load", help=_("Load a schedule JSON file (see yipanqi/workdays/README.md).")
        )
        load.add_argument("file")
        show = actions.add_parser("show", help=_("Show the schedule used for YEAR."))
        show.add_argument("year")
        show.add_argument("--json", action="store_true", help=_("Print a JSON object."))

    def handle(self, *args, action, **options):
        if action == "load":
            self._load(options["file"])
        else:
            self._show(int_arg(options["year"], "YEAR", FIRST_YEAR, LAST_YEAR), options["json"])

    def _load(self, path):
        try:
            results = services.load_calendar_file(path)
        except services.ScheduleError as exc:
            raise CommandError(str(exc)) from None
        for result in results:
            params = {
                "year": result.year,
                "holidays": result.holidays,
                "workdays": result.workdays,
            }
            if result.action == "unchanged":
                self.stdout.write(_("%(year)d: unchanged.") % params)
            else:
                self.stdout.write(
                    _("%(year)d: loaded, %(holidays)d holidays, %(workdays)d make-up working days.")
                    % params
                )

    def _show(self, year, as_json):
        view = services.get_year_schedule(year)
        if as_json:
            self.stdout.write(
                dumps(
                    {
                        "year": view.year,
                        "origin": view.origin,
                        "source": view.source,
                        "loaded_at": view.loaded_at.isoformat() if view.loaded_at else None,
                        "holidays": [d.isoformat() for d, _name in view.holidays],
                        "workdays": [d.isoformat() for d in view.workdays],
                    }
                )
            )
            return
        if view.origin == "none":
            self.stdout.write(
                _("%(year)d: no official schedule; counted with weekends only.") % {"year": year}
            )
            return
        if view.origin == "loaded":
            self.stdout.write(
                _("%(year)d: loaded by an administrator at %(when)s from %(source)s.")
                % {"year": year, "when": view.loaded_at.isoformat(), "source": view.source}
            )
        else:
            self.stdout.write(_("%(year)d: from the chinese-calendar package.") % {"year": year})
        self.stdout.write(_("Holidays:"))
        for day, name in view.holidays:
            self.stdout.write(f"  {day.isoformat()} {WEEKDAYS[day.weekday()]} {name}".rstrip())
        self.stdout.write(_("Make-up working days:"))
        for day in view.workdays:
            self.stdout.write(f"  {day.isoformat()} {WEEKDAYS[day.weekday()]}")
