"""Checkpoints of the audit chain kept outside the database (issue 16.8).

The chain head lives in the database, so someone who can write there can delete the newest rows
and put back a head saved earlier: the shorter chain is intact and `verify` alone cannot tell.
A checkpoint (anchor) is the head as it was at a moment, (last row id, its hash, the row count,
the time), signed with an HMAC key derived from YIPANQI_AUDIT_KEY, appended to a file outside
the database (YIPANQI_AUDIT_ANCHOR_FILE) and written to the log. `verify` then fails when a row
a checkpoint saw is missing or different, or when the chain ends before a checkpoint.

A restore from backup legitimately goes back in time: `yipanqi restore` appends a signed
restore mark, and checkpoints older than the newest mark are no longer held against the chain.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("yipanqi.audit.anchor")

VERSION = 1
KIND_ANCHOR = "anchor"
KIND_RESTORE = "restore"


def _anchor_key() -> bytes:
    from yipanqi.audit.chain import audit_key

    # A key of its own (derived), so an anchor line can never pass for a row hash or a head MAC.
    return hmac.new(audit_key(), b"yipanqi audit anchor v1", hashlib.sha256).digest()


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def status_file() -> Path:
    path = anchor_file()
    return path.with_name(path.stem + "-verify.json")


@dataclass(frozen=True)
class Anchor:
    kind: str
    at: dt.datetime
    last_id: int | None
    last_hash: str
    count: int
    mac: str

    def message(self) -> bytes:
        return (
            f"{self.kind}|v{VERSION}|{self.at.isoformat()}|{self.last_id}|{self.last_hash}|"
            f"{self.count}"
        ).encode()

    def signed(self) -> "Anchor":
        mac = hmac.new(_anchor_key(), self.message(), hashlib.sha256).hexdigest()
        return Anchor(self.kind, self.at, self.last_id, self.last_hash, self.count, mac)

    def is_genuine(self) -> bool:
        expected = hmac.new(_anchor_key(), self.message(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)

    def line(self) -> str:
        return json.dumps(
            {
                "v": VERSION,
                "kind": self.kind,
                "at": self.at.isoformat(),
                "last_id": self.last_id,
                "last_hash": self.last_hash,
                "count": self.count,
                "mac": self.mac,
            },
            sort_keys=True,
        )

    @classmethod
    def parse(cls, text: str) -> "Anchor":
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise ValueError("not an anchor line")
        last_id = data["last_id"]
        if last_id is not None and not isinstance(last_id, int):
            raise ValueError("bad last_id")
        return cls(
            kind=str(data["kind"]),
            at=dt.datetime.fromisoformat(str(data["at"])),
            last_id=last_id,
            last_hash=str(data["last_hash"]),
            count=int(data["count"]),
            mac=str(data["mac"]),
        )


@dataclass
class AnchorFile:
    """What the anchor file holds: genuine lines in order, and the lines that are not."""

    anchors: list[Anchor]
    bad_lines: list[int]

    def binding(self) -> list[Anchor]:
        """The checkpoints the chain must still satisfy: those after the newest restore mark."""
        since = 0
        for index, anchor in enumerate(self.anchors):
            if anchor.kind == KIND_RESTORE:
                since = index + 1
        return [a for a in self.anchors[since:] if a.kind == KIND_ANCHOR]


def read_anchors(path: Path | None = None) -> AnchorFile:
    path = path or anchor_file()
    anchors: list[Anchor] = []
    bad: list[int] = []
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return AnchorFile([], [])
    with handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                anchor = Anchor.parse(text)
            except (ValueError, KeyError, TypeError):
                bad.append(number)
                continue
            if anchor.is_genuine():
                anchors.append(anchor)
            else:
                bad.append(number)
    return AnchorFile(anchors, bad)


def _append(anchor: Anchor, path: Path | None = None) -> None:
    path = path or anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (anchor.line() + "\n").encode()
    # O_APPEND: each checkpoint is one write at the end, never an overwrite of older lines.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("audit %s %s", anchor.kind, anchor.line())


class AnchorRefused(Exception):
    """The chain head does not carry a valid MAC: anchoring it would bless a forgery."""


def write_anchor(*, now: dt.datetime | None = None, path: Path | None = None) -> Anchor:
    """Sign the current chain head and append it to the anchor file and the log."""
    from yipanqi.audit.chain import head_mac
    from yipanqi.audit.models import ChainHead

    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        last_id, last_hash, count = None, "", 0
    else:
        if not hmac.compare_digest(head_mac(head.last_id, head.last_hash, head.count), head.mac):
            raise AnchorRefused("the chain head was changed; it is not anchored")
        last_id, last_hash, count = head.last_id, head.last_hash, head.count
    at = (now or timezone.now()).astimezone(dt.UTC)
    anchor = Anchor(KIND_ANCHOR, at, last_id, last_hash, count, "").signed()
    _append(anchor, path)
    return anchor


def mark_restore(*, now: dt.datetime | None = None, path: Path | None = None) -> Anchor:
    """After a restore from backup: older checkpoints no longer bind, then anchor afresh."""
    at = (now or timezone.now()).astimezone(dt.UTC)
    mark = Anchor(KIND_RESTORE, at, None, "", 0, "").signed()
    _append(mark, path)
    return mark


def check(
    table_last_id: int | None, markers: list[dict], path: Path | None = None
) -> tuple[list[str], int]:
    """Problems of the chain measured against the checkpoints, and how many bind it, given the
    table's newest row id and the archive rows (`id`, `last_id` and `count` of those removed)."""
    from yipanqi.audit.models import AuditEvent, ChainHead

    found = read_anchors(path)
    problems: list[str] = []
    for number in found.bad_lines[:5]:
        problems.append(
            f"checkpoint file line {number} is not signed by this server (forged or damaged)"
        )
    binding = [a for a in found.binding() if a.last_id is not None]
    if not binding:
        return problems, 0
    previous = None
    for anchor in binding:
        if previous is not None and anchor.last_id < previous.last_id:
            problems.append(
                f"the checkpoint of {_when(anchor)} is behind the one of {_when(previous)}: "
                "the chain was cut and restored in between"
            )
        previous = anchor
    archived_through = max((m["last_id"] for m in markers), default=0)
    table_end = table_last_id or 0
    wanted = {a.last_id for a in binding}
    present = dict(
        AuditEvent.objects.filter(id__in=wanted).values_list("id", "row_hash").iterator()
    )
    for anchor in binding:
        if anchor.last_id > table_end:
            problems.append(
                f"the newest rows were removed: the checkpoint of {_when(anchor)} saw row "
                f"{anchor.last_id}, the table ends at row {table_last_id}"
            )
        elif anchor.last_id in present:
            if not hmac.compare_digest(present[anchor.last_id], anchor.last_hash):
                problems.append(
                    f"row {anchor.last_id} differs from the checkpoint of {_when(anchor)}"
                )
        elif anchor.last_id > archived_through:
            problems.append(
                f"row {anchor.last_id}, seen by the checkpoint of {_when(anchor)}, was removed"
            )
        if len(problems) >= 20:
            return problems, len(binding)
    newest = binding[-1]
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or (head.last_id or 0) < newest.last_id:
        problems.append(
            f"the chain head is older than the checkpoint of {_when(newest)} "
            f"(row {newest.last_id}): newer rows were cut off"
        )
    # Rows up to the newest checkpoint: as many as it counted, less those archived since.
    later = [m for m in markers if m["id"] > newest.last_id]
    if all(m["last_id"] <= newest.last_id for m in later):
        expected = newest.count - sum(m["count"] for m in later)
        actual = AuditEvent.objects.filter(id__lte=newest.last_id).count()
        if actual != expected:
            problems.append(
                f"the checkpoint of {_when(newest)} counted {expected} rows up to row "
                f"{newest.last_id}, the table holds {actual}"
            )
    return problems, len(binding)


def _when(anchor: Anchor) -> str:
    return timezone.localtime(anchor.at).strftime("%Y-%m-%d %H:%M:%S")


def save_status(verification, *, now: dt.datetime | None = None) -> None:
    """Keep the last verification's result for the auditor's page."""
    path = status_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "at": (now or timezone.now()).astimezone(dt.UTC).isoformat(),
        "ok": verification.ok,
        "rows": verification.rows,
        "first_id": verification.first_id,
        "last_id": verification.last_id,
        "problems": verification.problems[:20],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def load_status() -> dict | None:
    try:
        data = json.loads(status_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        data["at"] = dt.datetime.fromisoformat(str(data.get("at")))
    except ValueError:
        return None
    return data


def checkpoint(*, now: dt.datetime | None = None):
    """The periodic job: append spooled reads, verify the whole chain, keep the result, then
    anchor the head."""
    from yipanqi.audit.chain import verify
    from yipanqi.audit.services import flush_spool

    flush_spool()
    result = verify()
    save_status(result, now=now)
    if result.ok:
        logger.info("audit chain verified: %s rows up to #%s", result.rows, result.last_id)
    else:
        logger.error("audit chain FAILED verification: %s", "; ".join(result.problems[:5]))
    try:
        anchor = write_anchor(now=now)
    except AnchorRefused as exc:
        logger.error("audit checkpoint refused: %s", exc)
        anchor = None
    return result, anchor


class ChainBroken(Exception):
    """The periodic checkpoint found the chain broken: the run is recorded as failed."""


def checkpoint_job(now: dt.datetime) -> str:
    result, anchor = checkpoint(now=now)
    if not result.ok:
        raise ChainBroken("; ".join(result.problems[:3]))
    from django.utils.translation import gettext

    if anchor is None:
        return gettext("verified %(rows)s rows, not anchored") % {"rows": result.rows}
    return gettext("verified %(rows)s rows, anchored #%(id)s") % {
        "rows": result.rows,
        "id": anchor.last_id,
    }


def register_checkpoint_job() -> None:
    from django.conf import settings
    from django.utils.translation import gettext_lazy as _

    from yipanqi.ops import schedule

    schedule.register(
        "audit-checkpoint",
        label=_("Audit trail check and anchor"),
        every=dt.timedelta(seconds=settings.AUDIT_CHECKPOINT_EVERY_SECONDS),
        run=checkpoint_job,
    )
