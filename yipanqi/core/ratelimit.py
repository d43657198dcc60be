"""Rate limits and back-off shared by every worker process (issue 7.6, issue 16 item 7).

Counters are rows of `core.Throttle`, changed only with one atomic
`INSERT … ON CONFLICT (key) DO UPDATE SET count = count + 1 … RETURNING` (SQLite ≥ 3.35 and
PostgreSQL), so concurrent requests in any number of processes never read-then-write: N racing
events get the counts 1…N. A window starts at a key's first event and lasts `window` seconds.

- `hit(key, limit=, window=)`: count an event, True past the limit (the request is refused).
- `count(key, window=)` / `refund(key)`: count an attempt before acting on it; give it back
  when it turned out not to be a guess.
- `lock(key)`: hold the key's row until the surrounding transaction ends, to serialize a
  check-then-write (a count of real rows, then an insert) per key.
- `blocked_for(key)`, `fail(key, …)`: exponential back-off after `free` failures instead of a
  hard lock of good credentials (OWASP ASVS 5.0 V6.3).
"""

import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F

from yipanqi.core.models import Throttle
from yipanqi.core.sqlite import busy_timeout, is_locked

log = logging.getLogger(__name__)

# Rows whose window and back-off ended this long ago are purged now and then.
_PURGE_AFTER = 24 * 3600
_PURGE_CHANCE = 0.02


@dataclass(frozen=True)
class Count:
    count: int
    retry_after: int  # seconds until the window ends and the count starts again


def _upsert(key: str, window: int, step: int) -> tuple[int, float]:
    now = time.time()
    q = connection.ops.quote_name
    table, key_, count_, expires_, blocked_ = (
        q(Throttle._meta.db_table),
        q("key"),
        q("count"),
        q("expires"),
        q("blocked_until"),
    )
    # Identifiers come from the model, values are parameters.
    sql = (
        f"INSERT INTO {table} ({key_}, {count_}, {expires_}, {blocked_}) "  # noqa: S608
        f"VALUES (%s, %s, %s, 0) "
        f"ON CONFLICT ({key_}) DO UPDATE SET "
        f"{count_} = CASE WHEN {table}.{expires_} <= %s THEN excluded.{count_} "
        f"ELSE {table}.{count_} + excluded.{count_} END, "
        f"{expires_} = CASE WHEN {table}.{expires_} <= %s THEN excluded.{expires_} "
        f"ELSE {table}.{expires_} END "
        f"RETURNING {count_}, {expires_}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key[:200], step, now + window, now, now])
        count, expires = cursor.fetchone()
    if count == step and random.random() < _PURGE_CHANCE:  # noqa: S311 (not a secret)
        Throttle.objects.filter(
            expires__lt=now - _PURGE_AFTER, blocked_until__lt=now - _PURGE_AFTER
        ).delete()
    return count, expires


def count(key: str, *, window: int) -> Count:
    """Count one event for `key` atomically and return the count within the current window.

    On SQLite, while a large import holds the database's write lock, a count made outside any
    transaction waits only AUDIT_SPOOL_AFTER_MS and then lets the request through uncounted
    (logged), as reads do (core/sqlite.py): the lock is the platform's own and brief, and a
    limit must not turn every page into an error while it lasts (issue 16.2)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        try:
            with busy_timeout(connection, settings.AUDIT_SPOOL_AFTER_MS), transaction.atomic():
                n, expires = _upsert(key, window, 1)
        except OperationalError as exc:
            if not is_locked(exc):
                raise
            log.warning("rate limit %s not counted: the database is busy", key.split(":")[0])
            return Count(0, window)
    else:
        with transaction.atomic():
            n, expires = _upsert(key, window, 1)
    return Count(n, max(1, int(expires - time.time() + 0.999)))


def hit(key: str, *, limit: int, window: int = 60) -> Count | None:
    """Count one event; the Count (truthy) when it is past `limit` in this window, else None."""
    if limit <= 0:
        return None
    counted = count(key, window=window)
    return counted if counted.count > limit else None


def refund(key: str) -> None:
    """Give back one counted event (never below zero)."""
    Throttle.objects.filter(key=key[:200], count__gt=0).update(count=F("count") - 1)


def lock(key: str) -> None:
    """Lock the key's row until the end of the surrounding transaction (it must be atomic)."""
    if not connection.in_atomic_block:
        raise RuntimeError("ratelimit.lock() needs a transaction")
    _upsert(key, 3600, 0)


def blocked_for(key: str) -> int:
    """Seconds left of the key's back-off, 0 when it may try now."""
    until = Throttle.objects.filter(key=key[:200]).values_list("blocked_until", flat=True).first()
    left = (until or 0) - time.time()
    return int(left + 0.999) if left > 0 else 0


def fail(key: str, *, free: int, window: int, base: int, cap: int) -> int:
    """Count a failure; past `free` failures in the window, back off base·2^k seconds (≤ cap).

    Returns the back-off now in force, in seconds (0 while failures are still free).
    """
    with transaction.atomic():
        n, _expires = _upsert(key, window, 1)
        if free <= 0 or n <= free:
            return 0
        delay = min(cap, base * 2 ** min(n - free - 1, 30))
        until = time.time() + delay
        Throttle.objects.filter(key=key[:200], blocked_until__lt=until).update(blocked_until=until)
    return delay


def clear(key: str) -> None:
    """Forget the key's count and back-off (a success, or the security administrator)."""
    Throttle.objects.filter(key=key[:200]).delete()
