"""`yipanqi audit verify | anchor | archive`: check the hash chain against its checkpoints;
sign a checkpoint of the chain head outside the database; archive rows past retention."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yipanqi.audit import anchors, archive, chain
from yipanqi.audit.services import flush_spool


class Command(BaseCommand):
    help = "Verify the audit hash chain, or archive rows older than the retention period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain; exit 1 on any altered or missing row")
        sub.add_parser(
            "anchor",
            help="append a signed checkpoint of the chain head to YIPANQI_AUDIT_ANCHOR_FILE",
        )
        arch = sub.add_parser("archive", help="move rows older than a date to a JSON-lines file")
        arch.add_argument(
            "--before", required=True, help="date, YYYY-MM-DD (at least 6 months ago)"
        )
        arch.add_argument("--out", default=None, help="directory for the archive file")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            return self._verify()
        if action == "anchor":
            return self._anchor()
        return self._archive(options["before"], options["out"])

    def _anchor(self):
        try:
            anchor = anchors.write_anchor()
        except anchors.AnchorRefused as exc:
            raise CommandError(f"audit checkpoint refused: {exc}") from None
        self.stdout.write(
            f"audit checkpoint: row #{anchor.last_id}, {anchor.count} rows, "
            f"appended to {anchors.anchor_file()}"
        )

    def _verify(self):
        flush_spool()  # reads recorded while SQLite's write lock was taken (audit/spool.py)
        result = chain.verify()
        anchors.save_status(result)
        if result.ok:
            self.stdout.write(
                f"audit chain OK: {result.rows} rows (#{result.first_id}..#{result.last_id}), "
                f"append-only triggers in place, {result.checkpoints} checkpoint(s) hold"
            )
            return
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
        raise CommandError(
            f"audit chain FAILED: {len(result.problems)} problem(s) in {result.rows} rows"
        )

    def _archive(self, before_text: str, out: str | None):
        try:
            day = dt.date.fromisoformat(before_text)
        except ValueError:
            raise CommandError("--before must be a date like 2025-01-31") from None
        before = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        out_dir = Path(out) if out else settings.VAR_DIR / "audit-archive"
        try:
            result = archive.archive_before(before, out_dir)
        except archive.ArchiveRefused as exc:
            raise CommandError(str(exc)) from None
        if not result.count:
            self.stdout.write("nothing to archive")
            return
        self.stdout.write(f"archived {result.count} rows to {result.path} (sha256 {result.sha256})")
