"""`yipanqi keys generate | status | rotate`: field-encryption keys (issue 7.5).

Keys live only in the environment (YIPANQI_FIELD_KEYS, YIPANQI_BLIND_INDEX_KEY,
YIPANQI_AUDIT_KEY), never in the database or in logs; `generate` prints a new one once.
"""

from django.core.management.base import BaseCommand, CommandError

from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core import rotation
from yipanqi.core.crypto import DecryptionError, field_cipher, generate_key


class Command(BaseCommand):
    help = "Generate a field key, show key versions in use, or re-encrypt under the newest key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="print a new random 32-byte key (base64)")
        gen.add_argument("--version", type=int, default=None, help="print as <version>:<key>")
        sub.add_parser("status", help="values per key version, per encrypted column")
        rot = sub.add_parser("rotate", help="re-encrypt every value under the newest key")
        rot.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, action: str, **options):
        if action == "generate":
            key = generate_key()
            version = options.get("version")
            self.stdout.write(f"{version}:{key}" if version else key)
            return
        if action == "status":
            current = field_cipher().current_version
            self.stdout.write(f"current key version: {current}")
            for column, versions in rotation.status().items():
                shown = ", ".join(f"v{v}: {n}" for v, n in sorted(versions.items())) or "empty"
                self.stdout.write(f"  {column}: {shown}")
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            report = rotation.rotate(batch_size=options["batch_size"])
        except DecryptionError as exc:
            raise CommandError(
                f"a stored value does not decrypt ({exc}); this batch was left unchanged"
            ) from None
        record_event(
            actor=None,
            action=Action.KEY_ROTATION,
            origin=Origin(channel="cli"),
            object_type="field_keys",
            detail={
                "version": field_cipher().current_version,
                "checked": report.checked,
                "rotated": report.rotated,
                "skipped_changed": report.skipped_changed,
            },
        )
        self.stdout.write(
            f"checked {report.checked} values, re-encrypted {report.rotated} under key version "
            f"{field_cipher().current_version}"
            + (
                f"; {report.skipped_changed} changed meanwhile, run again"
                if report.skipped_changed
                else ""
            )
        )
