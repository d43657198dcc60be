"""`yipanqi divisions load`: load the statistical division codes from the reference data."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yipanqi.divisions.loading import DivisionDataError, load_divisions
from yipanqi.divisions.models import Level


class Command(BaseCommand):
    help = "Administrative divisions (R-JUR-1): `load` creates or updates them from DATA_DIR."
    # Loading reference data needs the database only; a broken URLconf elsewhere must not block it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Reference data directory holding divisions/ (default: settings.DATA_DIR).",
        )
        parser.add_argument(
            "--within",
            action="append",
            default=None,
            metavar="CODE",
            help="Load townships and villages only inside this code prefix (repeatable).",
        )

    def handle(self, *args, action: str, data_dir: Path | None, within, **options):
        verbose = options["verbosity"] >= 2
        try:
            report = load_divisions(
                data_dir,
                within=within,
                progress=(lambda message: self.stdout.write(message)) if verbose else None,
            )
        except (DivisionDataError, ValueError) as error:
            raise CommandError(_("Nothing was loaded: %(error)s") % {"error": error}) from error

        header = _("level")
        self.stdout.write(
            f"{header:<10} {_('created'):>9} {_('updated'):>9} {_('unchanged'):>9} "
            f"{_('skipped'):>9}"
        )
        for level, counts in report.levels.items():
            self.stdout.write(
                f"{Level(level).label!s:<10} {counts.created:>9} {counts.updated:>9} "
                f"{counts.unchanged:>9} {counts.skipped:>9}"
            )
        if report.levels[Level.VILLAGE].skipped:
            self.stdout.write(
                _("%(count)d villages of 2021 skipped: their township no longer exists in 2023.")
                % {"count": report.levels[Level.VILLAGE].skipped}
            )
        if report.changed:
            message = _("%(created)d created, %(updated)d updated in %(seconds).1f s.")
        else:
            message = _("Nothing changed (%(unchanged)d divisions up to date, %(seconds).1f s).")
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "seconds": report.seconds,
                }
            )
        )
