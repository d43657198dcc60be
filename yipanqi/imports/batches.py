"""Rows in, batches of checked and sealed candidates out: read inline, by a thread, or by a
reader process (`python -m yipanqi.imports.reader`) one batch ahead of the writer.

Below both the pipeline (the writer) and the reader process's entry point, which each use it.
"""

import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Full, Queue

from django.db import connections

from yipanqi.imports.checks import Candidate, RowChecker
from yipanqi.imports.reading import Layout, Table, iter_records
from yipanqi.people.bulk import Sealer

BATCH_ROWS = 20_000
# The reader reports how far it has read and checked every this many rows (issue 12.16).
TICK_ROWS = 500
# While it waits for a reader thread, the writer reports its progress this often (seconds).
TICK_SECONDS = 0.25


def start_reader(*, table, layout, kind: str, unit: str, today):
    """Start the reader process for this table; (process, stream of its messages)."""
    from django.conf import settings
    from django.utils import translation

    spec = {
        "table": table,
        "layout": layout,
        "kind": kind,
        "unit": unit,
        "today": today,
        "language": translation.get_language(),
    }
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    process = subprocess.Popen(
        [sys.executable, "-m", "yipanqi.imports.reader"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    # The settings first: the spec's classes can be loaded only once Django is set up.
    process.stdin.write(pickle.dumps(settings.SETTINGS_MODULE or "yipanqi.settings"))
    process.stdin.write(pickle.dumps(spec))
    process.stdin.close()
    return process, process.stdout


class Reader:
    """Rows in, batches of checked candidates out, with their blind index and ciphertexts."""

    def __init__(self, table: Table, layout: Layout, checker: RowChecker):
        self.table = table
        self.layout = layout
        self.checker = checker
        self.rows = 0
        self.skipped = 0
        self.read = 0  # data rows read so far, checked or skipped (the progress bar)
        self.errors: dict[int, list[str]] = {}
        self.sealer = Sealer()

    def seal(self, c: Candidate) -> None:
        """P5: the stored forms, as people.services stores them (the ID's mask is made by
        the writer, which has the ID)."""
        c.id_cipher, c.index, _masked = self.sealer.id_number(c.ident.value)
        if c.phone:
            c.phone_cipher, c.phone_index, c.phone_masked = self.sealer.phone(c.phone)

    def _produce(self):
        batch: list[Candidate] = []
        check, seal = self.checker.check, self.seal
        first = self.layout.header_row + 2
        for number, cells in iter_records(self.table, self.layout):
            self.read = number - first + 1
            if self.read % TICK_ROWS == 0:
                yield None  # a tick: how far reading and checking have come
            if cells is None:
                self.skipped += 1
                continue
            self.rows += 1
            checked = check(number, cells)
            if isinstance(checked, list):
                self.errors[number] = checked
                continue
            seal(checked)
            batch.append(checked)
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch

    def batches(self, *, mode: str):
        """Checked batches: made here ("inline"), in a thread, or in a process."""
        if mode == "inline":
            yield from self._produce()
            return
        if mode == "process":
            yield from self._from_process()
            return
        queue: Queue = Queue(maxsize=2)
        last_tick = time.monotonic()
        stop = threading.Event()

        def work():
            try:
                for batch in self._produce():
                    if batch is None:  # the writer reads self.read while it waits
                        continue
                    while not stop.is_set():
                        try:
                            queue.put(("batch", batch), timeout=0.2)
                            break
                        except Full:
                            continue
                    if stop.is_set():
                        return
                queue.put(("end", None))
            except BaseException as exc:  # handed to the writer, which raises it
                queue.put(("error", exc))
            finally:
                # The reader's own connection (place names read on a cache miss).
                connections.close_all()

        thread = threading.Thread(target=work, name="import-reader", daemon=True)
        thread.start()
        try:
            while True:
                try:
                    kind, payload = queue.get(timeout=TICK_SECONDS)
                except Empty:
                    if time.monotonic() - last_tick >= TICK_SECONDS:
                        last_tick = time.monotonic()
                        yield None  # a tick while the reader thread reads and checks
                    continue
                if kind == "end":
                    break
                if kind == "error":
                    raise payload
                yield payload
        finally:
            stop.set()
            thread.join()

    def _from_process(self):
        """Batches made by a reader process (yipanqi.imports.reader: a fresh interpreter with
        its own database connection, never a fork of this one's), read from its pipe; the
        pipe's buffer holds it at most a batch or two ahead. Its counts and errors come with
        the last message."""
        from yipanqi.imports.checks import from_wire

        process, stream = start_reader(
            table=self.table,
            layout=self.layout,
            kind=self.checker.kind,
            unit=self.checker.unit,
            today=self.checker.today,
        )
        try:
            while True:
                try:
                    kind, payload = pickle.load(stream)  # noqa: S301 (our own child process)
                except EOFError:
                    raise RuntimeError("the import's reader process ended unexpectedly") from None
                if kind == "end":
                    self.rows, self.skipped, self.errors = payload
                    break
                if kind == "error":
                    raise payload
                if kind == "tick":
                    self.rows, self.skipped, self.read = payload
                    yield None
                    continue
                self.rows, self.skipped, self.read, wire = payload  # so far, for the bar
                yield [from_wire(t) for t in wire]
        finally:
            stream.close()
            if process.poll() is None:
                process.kill()
            process.wait()
