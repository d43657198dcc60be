"""`yipanqi backup [FILE]`: a consistent copy of the live database (issue 7.8)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database: SQLite online backup API, or pg_dump for PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write (default: var/backups/...)")

    def handle(self, *args, file: str | None, **options):
        if file:
            target = Path(file)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            suffix = "sqlite3" if connection.vendor == "sqlite" else "pgdump"
            target = settings.VAR_DIR / "backups" / f"yipanqi-{stamp}.{suffix}"
        try:
            path = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        record_event(
            actor=None,
            action=Action.BACKUP,
            origin=Origin(channel="cli"),
            object_type="database",
            detail={"file": path.name, "bytes": path.stat().st_size},
        )
        self.stdout.write(f"backed up to {path} ({path.stat().st_size} bytes)")
