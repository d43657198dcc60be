"""`yipanqi restore FILE --yes [--to DATABASE_URL]`: put a backup back (issue 7.8).

Stop the site first when restoring over the database it uses. `--to` restores into another
database instead, for a restore drill that leaves production alone.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yipanqi.core.backup import BackupError, restore
from yipanqi.core.env import ConfigError, database_from_url


class Command(BaseCommand):
    help = "Restore a backup made by `yipanqi backup` (replaces the target database's contents)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--to", default="", help="DATABASE_URL of the target (default: ours)")
        parser.add_argument("--yes", action="store_true", help="confirm replacing the target")

    def handle(self, *args, file: str, to: str, yes: bool, **options):
        if not yes:
            raise CommandError("restoring replaces the target database; add --yes to confirm")
        try:
            target = (
                database_from_url(to, settings.BASE_DIR) if to else settings.DATABASES["default"]
            )
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        try:
            restore(Path(file), target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {file} into {target['NAME']}")
        if not to:
            # Issue 16.8: the audit chain went back to the backup's head on purpose; checkpoints
            # taken since no longer bind it, and the restored head is anchored at once.
            from yipanqi.audit import anchors

            anchors.mark_restore()
            try:
                anchors.write_anchor()
            except anchors.AnchorRefused as exc:
                raise CommandError(f"restored, but the audit chain head: {exc}") from None
            self.stdout.write(
                f"audit checkpoint after the restore appended to {anchors.anchor_file()}"
            )
