"""`yipanqi import FILE --kind inflow|outflow|feed-… --jurisdiction CODE [--dry-run]
[--valid-rows-only]`: a progress bar on stderr, a JSON summary on stdout."""

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yipanqi.accounts.models import User
from yipanqi.core.errors import Rejected
from yipanqi.imports.models import ImportKind, ImportStatus
from yipanqi.imports.services import import_path


class Command(BaseCommand):
    help = (
        "Import registrations or a department feed from XLSX or CSV. All or nothing unless "
        "--valid-rows-only; re-importing the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=ImportKind.values)
        parser.add_argument(
            "--jurisdiction",
            required=True,
            help="division code importing the file: the residence side for inflow, "
            "the home side for outflow, the reporting unit for a feed",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="write the valid rows even if some rows are rejected",
        )
        parser.add_argument("--period", default="", help="feeds: the month reported, YYYY-MM")
        parser.add_argument("--user", default="", help="username recorded as the importer")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        bar = None if options["no_progress"] else _Bar(sys.stderr)
        try:
            job = import_path(
                path,
                kind=options["kind"],
                unit=options["jurisdiction"],
                acting_user=user,
                valid_rows_only=options["valid_rows_only"],
                dry_run=options["dry_run"],
                period=options["period"],
                progress=bar,
            )
        except Rejected as exc:
            raise CommandError(str(exc)) from None
        if bar:
            bar.close()
        summary = job.summary() | {
            "seconds": round(job.seconds, 2),
            "rows_per_second": round(job.rows / job.seconds) if job.seconds else 0,
        }
        if job.error:
            summary["error"] = job.error
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.error)
        if job.status == ImportStatus.REJECTED:
            sys.exit(2)


class _Bar:
    """A one-line terminal progress bar: [#####.....] 45% 450,000/1,000,000 12.3 s."""

    def __init__(self, stream):
        self.stream = stream
        self.started = time.perf_counter()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        total = max(total, done, 1)
        filled = int(30 * done / total)
        seconds = time.perf_counter() - self.started
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {done * 100 // total:3d}% "
            f"{done:,}/{total:,} {seconds:.1f} s"
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
