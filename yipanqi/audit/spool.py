"""A read's audit row while SQLite's write lock is taken (issue 16.2).

SQLite has one write lock for the whole database, and a large import holds it for as long as
its rows take to write. A search or a person's page writes nothing but its audit row; rather
than wait past the busy timeout and fail, that row goes to this spool: one JSON line, written
and fsync'd before the data is shown, so the read is on record before it happens. The next
audit write that gets the lock (and `yipanqi audit verify`, and the periodic sweep) appends the
spooled rows to the chain first, in the order they were spooled, with the time of the read.

Only a row recorded outside any transaction is spooled: it stands alone, so nothing else has
to commit with it. A row recorded inside an action's transaction commits with the action or
not at all, as before.

Each spool file belongs to one process (host and pid in its name). A flush claims a file by
renaming it and locking it (an append checks it still writes to its own file), appends its rows
in one transaction and deletes it after the commit; every spooled row carries an id in its
detail, so a flush that died between its commit and the delete is not appended twice.
"""

import fcntl
import json
import os
import socket
import threading
import uuid
from pathlib import Path

from django.conf import settings

_lock = threading.Lock()
SUFFIX = ".jsonl"
CLAIMED = ".flushing"


def folder() -> Path:
    return Path(settings.VAR_DIR) / "audit-spool"


def _own_file() -> Path:
    return folder() / f"{socket.gethostname()}-{os.getpid()}{SUFFIX}"


def append(fields: dict) -> None:
    """Write one row's fields durably (fsync) before the read it records goes on."""
    line = json.dumps(fields, ensure_ascii=False, default=str) + "\n"
    folder().mkdir(parents=True, exist_ok=True)
    path = _own_file()
    with _lock:
        while True:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                # A flusher may have claimed (renamed) the file since it was opened: write
                # only to the file that is still ours.
                if _same_file(fd, path):
                    os.write(fd, line.encode())
                    os.fsync(fd)
                    return
            finally:
                os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def pending() -> bool:
    """Whether any spooled row waits (cheap: one directory listing)."""
    try:
        with os.scandir(folder()) as entries:
            return any(e.name.endswith((SUFFIX, CLAIMED)) for e in entries)
    except FileNotFoundError:
        return False


def claim() -> list[tuple[int, Path, list[dict], bool]]:
    """Take every spool file for flushing: (locked descriptor, claimed path, rows in order,
    whether a flush before this one had claimed it). The lock is held until `release`, so no
    append lands in a file being flushed."""
    claimed = []
    try:
        entries = sorted(folder().iterdir())
    except FileNotFoundError:
        return []
    for path in entries:
        leftover = path.name.endswith(CLAIMED)
        if path.name.endswith(SUFFIX):
            target = path.with_name(f"{path.name}.{uuid.uuid4().hex}{CLAIMED}")
            try:
                path.rename(target)  # one flusher wins; the owner's next append starts anew
            except FileNotFoundError:
                continue
        elif path.name.endswith(CLAIMED):
            target = path  # left by a flush that rolled back or died: deduplicated by id
        else:
            continue
        try:
            fd = os.open(target, os.O_RDONLY)
        except FileNotFoundError:
            continue
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not _same_file(fd, target):  # another flusher released it meanwhile
            os.close(fd)
            continue
        claimed.append((fd, target, _rows(target), leftover))
    return claimed


def _rows(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crash mid-write: its read never went on
    return rows


def release(claimed, *, flushed: bool) -> None:
    """After the flush's commit the files go; after a rollback they stay to be tried again."""
    for fd, path, *_ in claimed:
        try:
            if flushed:
                path.unlink(missing_ok=True)
        finally:
            os.close(fd)
