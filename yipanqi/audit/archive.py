"""Archiving audit rows older than the retention period (never younger than 6 months).

The triggers refuse DELETE; archiving lifts them for its own transaction only, after writing
the rows, with their hashes, to a JSON-lines file. The archive row it appends records how many
rows left, the file's SHA-256 and the hash the remaining chain starts from, so that
`yipanqi audit verify` still accepts the shortened chain and the file can be checked later.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from yipanqi.audit import chain, triggers
from yipanqi.audit.models import Action, AuditEvent, ChainHead
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.serialize import pick

MINIMUM_RETENTION_DAYS = 183


class ArchiveRefused(Exception):
    """The archive would remove rows younger than the retention period, or the chain is broken."""


@dataclass(frozen=True)
class ArchiveResult:
    count: int
    path: Path | None
    sha256: str


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    days = max(settings.AUDIT_RETENTION_DAYS, MINIMUM_RETENTION_DAYS)
    return (now or timezone.now()) - dt.timedelta(days=days)


def archive_before(
    before: dt.datetime, out_dir: Path, *, acting_user=None, now: dt.datetime | None = None
) -> ArchiveResult:
    """Move rows written before `before` to a file, if all of them are past retention."""
    cutoff = retention_cutoff(now)
    if before > cutoff:
        raise ArchiveRefused(
            f"audit rows are kept at least {max(settings.AUDIT_RETENTION_DAYS, MINIMUM_RETENTION_DAYS)}"
            f" days: the latest date that may be archived is {cutoff:%Y-%m-%d}"
        )
    check = chain.verify()
    if not check.ok:
        raise ArchiveRefused("the audit chain does not verify: " + "; ".join(check.problems[:3]))
    out_dir.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        chain.lock_chain()
        # Only a leading run of old rows leaves, so what stays is still one unbroken chain.
        first_young = AuditEvent.objects.filter(at__gte=before).order_by("id").first()
        rows = AuditEvent.objects.order_by("id")
        if first_young is not None:
            rows = rows.filter(id__lt=first_young.id)
        rows = list(rows)
        if not rows:
            return ArchiveResult(0, None, "")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        path = out_dir / f"audit-{rows[0].id}-{rows[-1].id}-{stamp}.jsonl"
        digest = hashlib.sha256()
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                line = json.dumps(_as_dict(row), cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"
                handle.write(line)
                digest.update(line.encode())
        resumes_from = rows[-1].row_hash
        with triggers.unlocked():
            AuditEvent.objects.filter(id__lte=rows[-1].id).delete()
        head = ChainHead.objects.select_for_update().get(pk=1)
        head.count -= len(rows)
        head.mac = chain.head_mac(head.last_id, head.last_hash, head.count)
        head.save(update_fields=["count", "mac"])
        record_event(
            actor=acting_user,
            action=Action.AUDIT_ARCHIVE,
            origin=Origin(channel="cli"),
            object_type="audit",
            detail={
                "count": len(rows),
                "first_id": rows[0].id,
                "last_id": rows[-1].id,
                "before": before.isoformat(),
                "file": path.name,
                "sha256": digest.hexdigest(),
                "chain_resumes_from": resumes_from,
            },
        )
    return ArchiveResult(len(rows), path, digest.hexdigest())


def _as_dict(row: AuditEvent) -> dict:
    return pick(
        row,
        "id",
        "at",
        "actor_id",
        "actor_name",
        "action",
        "result",
        "object_type",
        "object_id",
        "person_id",
        "reason",
        "ip",
        "channel",
        "detail",
        "prev_hash",
        "row_hash",
    )
