"""Writing audit rows. Callers write them inside the transaction of the action they record."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from yipanqi.audit import chain, spool
from yipanqi.audit.models import Action, AuditEvent, ChainHead, Result
from yipanqi.core.origin import Origin, _valid_ip, client_ip  # noqa: F401 (re-exported)
from yipanqi.core.sqlite import busy_timeout, is_locked


def record_event(
    *,
    actor,
    action: Action | str,
    origin: Origin | None = None,
    result: Result | str = Result.OK,
    object_type: str = "",
    object_id: str | int = "",
    person_id: int | None = None,
    reason: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit row to the hash chain; never pass ID or phone numbers in detail.

    It joins the caller's transaction, so the action and its audit row commit or fail together:
    an action whose audit row cannot be written does not happen. A row recorded outside any
    transaction (a read) while SQLite's write lock is taken goes to the spool (spool.py).
    """
    origin = origin or Origin()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    row = AuditEvent(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "",
        action=str(action),
        result=str(result),
        object_type=str(object_type)[:50],
        object_id=str(object_id)[:64],
        person_id=person_id,
        reason=(reason or "")[:300],
        ip=_valid_ip(origin.ip),
        channel=origin.channel[:16],
        detail=chain.normalize_detail(detail),
    )
    conn = connections["default"]
    if conn.vendor != "sqlite" or conn.in_atomic_block:
        return _append(row)
    try:
        with busy_timeout(conn, settings.AUDIT_SPOOL_AFTER_MS):
            if spool.pending():
                flush_spool()
            return _append(row)
    except OperationalError as exc:
        if not is_locked(exc):
            raise
    row.detail = {**row.detail, "spool_id": uuid.uuid4().hex}
    spool.append(_spooled_fields(row))
    return row


def record_change(
    object_type: str, obj, *, actor, origin: Origin | None, person_id: int | None, **detail
) -> AuditEvent:
    """record_event for a change to obj: its pk the object id, the keyword arguments the detail."""
    return record_event(
        actor=actor,
        action=Action.CHANGE,
        origin=origin,
        object_type=object_type,
        object_id=obj.pk,
        person_id=person_id,
        detail=detail,
    )


def _append(row: AuditEvent) -> AuditEvent:
    with transaction.atomic():
        chain.lock_chain()
        _chain(row, ChainHead.objects.select_for_update().filter(pk=1).first())
    return row


def _chain(row: AuditEvent, head: ChainHead | None) -> ChainHead:
    """Link the row to the head, save it and move the head (inside the caller's transaction)."""
    row.prev_hash = head.last_hash if head else chain.GENESIS
    row.row_hash = chain.row_hash(row, row.prev_hash)
    row.save(force_insert=True)
    count = (head.count if head else 0) + 1
    mac = chain.head_mac(row.pk, row.row_hash, count)
    if head is None:
        return ChainHead.objects.create(
            pk=1, last_id=row.pk, last_hash=row.row_hash, count=count, mac=mac
        )
    ChainHead.objects.filter(pk=1).update(
        last_id=row.pk, last_hash=row.row_hash, count=count, mac=mac
    )
    head.last_id, head.last_hash, head.count, head.mac = row.pk, row.row_hash, count, mac
    return head


def flush_spool() -> int:
    """Append the spooled rows to the chain, in their order, in a transaction of their own
    (never inside a caller's: called by record_event outside one, by verify and the periodic
    sweep). Returns how many were appended."""
    claimed = spool.claim()
    if not claimed:
        return 0
    appended = 0
    try:
        with transaction.atomic():
            chain.lock_chain()
            head = ChainHead.objects.select_for_update().filter(pk=1).first()
            for _fd, _path, rows, leftover in claimed:
                known = (
                    _in_chain([r.get("detail", {}).get("spool_id") for r in rows])
                    if leftover
                    else set()
                )
                for fields in rows:
                    if fields.get("detail", {}).get("spool_id") in known:
                        continue
                    head = _chain(_row_from_spool(fields), head)
                    appended += 1
    except BaseException:
        spool.release(claimed, flushed=False)
        raise
    spool.release(claimed, flushed=True)
    return appended


def _in_chain(spool_ids: list) -> set:
    """Spool ids already in the chain: a flush that committed and died before its delete."""
    wanted = [i for i in spool_ids if i]
    if not wanted:
        return set()
    return set(
        AuditEvent.objects.filter(detail__spool_id__in=wanted).values_list(
            "detail__spool_id", flat=True
        )
    )


# A row's own fields, as archive.py writes them out; the chain's hashes are made anew.
SPOOLED_FIELDS = ("actor_id", "actor_name", "action", "result", "object_type", "object_id",
                  "person_id", "reason", "ip", "channel", "detail")  # fmt: skip


def _spooled_fields(row: AuditEvent) -> dict:
    return {"at": row.at.isoformat(), **{name: getattr(row, name) for name in SPOOLED_FIELDS}}


def _row_from_spool(fields: dict) -> AuditEvent:
    return AuditEvent(**{**fields, "at": dt.datetime.fromisoformat(fields["at"])})
