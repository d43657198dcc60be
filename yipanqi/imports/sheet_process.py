"""Spreadsheets are read in a process of their own, under a memory and CPU limit (issue 16.1).

python-calamine allocates a sheet's whole area up front and aborts the process when that fails,
so no web, worker or import process ever opens a workbook itself: `sheet_rows` and
`workbook_sheets` start `python -m yipanqi.imports.sheet_process` (no Django, only the reader) with
RLIMIT_AS and RLIMIT_CPU set, and read its rows back through a pipe, a batch at a time. A file
that breaks the reader kills that process only, and its import fails with a plain reason.

The child checks the sheet's size against the row and column limits before it sends a row.
The pipe carries pickles of plain cell values (text, numbers, dates) from our own child; they
are loaded with an unpickler that knows no class but the datetime ones.
"""

import contextlib
import datetime as dt
import io
import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from yipanqi.imports.limits import Limits

BATCH = 1000


class SheetError(Exception):
    """The reader refused or failed on the file. `kind` is one of: damaged, rows, columns,
    no_sheet, crashed; `detail` is the reader's own words (not for users)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


class _CellUnpickler(pickle.Unpickler):
    ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def _load(stream):
    return _CellUnpickler(stream).load()


def _start(args: list[str], limits: Limits) -> subprocess.Popen:
    def confine():  # runs in the child before it starts Python
        memory = limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = limits.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")) if p
    )
    return subprocess.Popen(  # noqa: S603 - our own module, the file's path as an argument
        [sys.executable, "-m", "yipanqi.imports.sheet_process", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        preexec_fn=confine,  # noqa: PLW1509 - no threads are started between fork and exec
        close_fds=True,
    )


def _messages(process: subprocess.Popen) -> Iterator[tuple]:
    stream = io.BufferedReader(process.stdout, buffer_size=1 << 16)
    try:
        while True:
            try:
                message = _load(stream)
            except EOFError:
                break
            except pickle.UnpicklingError as exc:
                raise SheetError("damaged", str(exc)) from None
            if message[0] == "error":
                raise SheetError(message[1], message[2])
            yield message
            if message[0] == "end":
                return
        code = process.wait()
        raise SheetError("crashed", f"reader exited with {code}")
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.wait()


def workbook_sheets(path: Path, limits: Limits | None = None) -> list[str]:
    """The workbook's sheet names, read by a limited reader process."""
    limits = limits or Limits.from_settings()
    for message in _messages(_start(["names", str(path)], limits)):
        if message[0] == "names":
            return list(message[1])
    raise SheetError("damaged", "no names")


def sheet_size(path: Path, sheet: str, limits: Limits | None = None) -> tuple[int, int]:
    """(rows, columns) of the sheet, as the reader found them."""
    limits = limits or Limits.from_settings()
    for message in _messages(_start(_rows_args(path, sheet, 0, limits), limits)):
        if message[0] == "size":
            return message[1], message[2]
    raise SheetError("damaged", "no size")


def sheet_rows(
    path: Path, sheet: str, *, limit: int = 0, limits: Limits | None = None
) -> Iterator[list]:
    """The sheet's rows as lists of cells (at most `limit` rows when given)."""
    limits = limits or Limits.from_settings()
    # limit 0 means every row; -1 to the child would mean none, so ask for all of them.
    process = _start(_rows_args(path, sheet, limit or -1, limits), limits)
    for message in _messages(process):
        if message[0] == "rows":
            yield from message[1]


def _rows_args(path: Path, sheet: str, limit: int, limits: Limits) -> list[str]:
    return ["rows", str(path), sheet, str(limit), str(limits.max_rows), str(limits.max_columns)]


# --- the child ---------------------------------------------------------------------------


def _child(argv: list[str]) -> None:
    out = sys.stdout.buffer

    def send(*message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        from python_calamine import load_workbook

        command, path = argv[0], argv[1]
        try:
            workbook = load_workbook(path)
            names = list(workbook.sheet_names)
        except Exception as exc:  # any reader error is a damaged file
            send("error", "damaged", str(exc)[:200])
            return
        if command == "names":
            send("names", names)
            send("end")
            return
        sheet, limit = argv[2] or (names[0] if names else ""), int(argv[3])
        max_rows, max_columns = int(argv[4]), int(argv[5])
        if sheet not in names:
            send("error", "no_sheet", sheet)
            return
        try:
            # The sheet's XML is parsed here; a hostile one ends in the memory limit, not here.
            data = workbook.get_sheet_by_name(sheet)
            height, width = data.total_height, data.total_width
        except Exception as exc:
            send("error", "damaged", str(exc)[:200])
            return
        if width > max_columns:
            send("error", "columns", str(width))
            return
        if height > max_rows:
            send("error", "rows", str(height))
            return
        send("size", height, width)
        if limit:
            _send_rows(data, limit, send)
        send("end")
    except BrokenPipeError:  # the caller has all it wanted
        pass
    finally:
        with contextlib.suppress(BrokenPipeError):
            out.flush()
        os._exit(0)


def _send_rows(data, limit: int, send) -> None:
    batch = []
    sent = 0
    try:
        rows = data.iter_rows()
        for row in rows:
            batch.append(row)
            sent += 1
            if len(batch) >= BATCH:
                send("rows", batch)
                batch = []
            if 0 < limit <= sent:
                break
    except Exception as exc:
        send("error", "damaged", str(exc)[:200])
        return
    if batch:
        send("rows", batch)


if __name__ == "__main__":
    _child(sys.argv[1:])
