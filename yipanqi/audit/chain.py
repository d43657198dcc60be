"""The keyed hash chain over audit rows: appending under a lock, and verifying.

row_hash = HMAC-SHA256(YIPANQI_AUDIT_KEY, prev_hash + "\\n" + canonical JSON of the row).
Appends are serialized so that the chain is a line, not a tree: on PostgreSQL by a
transaction-scoped advisory lock, on SQLite by the IMMEDIATE transactions every writer takes.
"""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections

ADVISORY_LOCK_KEY = 0x59514155  # "YQAU"
GENESIS = ""


@lru_cache(maxsize=4)
def _key_from(spec: str) -> bytes:
    try:
        key = base64.b64decode(spec, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) < 32:
        raise ValueError("YIPANQI_AUDIT_KEY must be base64 of at least 32 bytes")
    return key


def audit_key() -> bytes:
    from django.conf import settings

    return _key_from(settings.AUDIT_HMAC_KEY)


def normalize_detail(detail: dict | None) -> dict:
    """The detail exactly as the database will give it back (dates as text and so on)."""
    return json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder))


def canonical(row) -> bytes:
    at = row.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = [
        1,
        at,
        row.actor_id,
        row.actor_name,
        str(row.action),
        str(row.result),
        row.object_type,
        row.object_id,
        row.person_id,
        row.reason,
        row.ip,
        row.channel,
        row.detail,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(row, prev_hash: str) -> str:
    message = prev_hash.encode() + b"\n" + canonical(row)
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def head_mac(last_id, last_hash: str, count: int) -> str:
    message = f"head|{last_id}|{last_hash}|{count}".encode()
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def lock_chain(using=None) -> None:
    """Serialize appends until the end of the current transaction."""
    conn = connections[using or "default"]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


@dataclass
class Verification:
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    first_id: int | None = None
    last_id: int | None = None
    triggers_installed: bool = True
    checkpoints: int = 0  # signed checkpoints outside the database the chain was held against

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(batch_size: int = 2000, max_problems: int = 50) -> Verification:
    """Walk the whole chain; report altered, inserted and removed rows and a moved head."""
    from yipanqi.audit import anchors as anchor_checks
    from yipanqi.audit import triggers
    from yipanqi.audit.models import AuditEvent, ChainHead

    result = Verification(triggers_installed=triggers.installed())
    if not result.triggers_installed:
        result.problems.append("the append-only triggers are missing")

    def problem(text: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(text)

    # Archiving removes the oldest rows; the archive row records the hash the rest starts from.
    anchors = {GENESIS}
    markers = archive_markers()
    for marker in markers:
        if marker["chain_resumes_from"]:
            anchors.add(marker["chain_resumes_from"])
    prev = None
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for row in batch:
            if prev is None:
                result.first_id = row.id
                if row.prev_hash not in anchors:
                    problem(
                        f"row {row.id}: the chain does not start at its beginning or at an archive"
                    )
            elif row.prev_hash != prev:
                problem(f"row {row.id}: the row before it was removed or changed (chain broken)")
            if not hmac.compare_digest(row_hash(row, row.prev_hash), row.row_hash):
                problem(f"row {row.id}: its content was changed (hash does not match)")
            prev = row.row_hash
            result.rows += 1
        last_id = batch[-1].id
    result.last_id = last_id or None
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        if result.rows:
            problem("the chain head is missing")
    else:
        if not hmac.compare_digest(head_mac(head.last_id, head.last_hash, head.count), head.mac):
            problem("the chain head was changed")
        if head.last_id != result.last_id or (prev is not None and head.last_hash != prev):
            problem(
                f"the newest rows were removed: the head points at row {head.last_id}, "
                f"the table ends at row {result.last_id}"
            )
        if head.count != result.rows:
            problem(f"the head counts {head.count} rows, the table holds {result.rows}")
    # Issue 16.8: the head is in the database; checkpoints outside it catch a cut tail.
    anchor_problems, result.checkpoints = anchor_checks.check(result.last_id, markers)
    for text in anchor_problems:
        problem(text)
    return result


def archive_markers() -> list[dict]:
    """The archive rows: where the remaining chain resumes, and which rows each one removed."""
    from yipanqi.audit.models import Action, AuditEvent

    markers = []
    for pk, detail in AuditEvent.objects.filter(action=Action.AUDIT_ARCHIVE).values_list(
        "id", "detail"
    ):
        if not isinstance(detail, dict):
            continue
        markers.append(
            {
                "id": pk,
                "chain_resumes_from": detail.get("chain_resumes_from") or "",
                "last_id": int(detail.get("last_id") or 0),
                "count": int(detail.get("count") or 0),
            }
        )
    return markers
