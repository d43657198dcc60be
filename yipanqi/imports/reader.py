"""The reader process of a large import: reads, checks and seals the rows of a file and hands
the batches to the writer through a pipe (see pipeline.import_registrations).

A thread would share the interpreter lock with the writer, and the database drivers give the
lock up and take it back on every row they write, so the two would mostly take turns; a
process of its own reads on the second core. It is started as `python -m` (a fresh
interpreter, not a fork of the writer's open connections and threads), reads its settings from
the environment as the writer did, and stops when the writer is gone (its pipe breaks).

The pipe carries pickles between two processes of this program, never data from elsewhere.
"""

import gc
import os
import pickle
import sys


def _main() -> None:
    gc.disable()  # a producer of acyclic rows: see pipeline._without_cyclic_gc
    # Written by our own writer process (see the module's doc).
    os.environ["DJANGO_SETTINGS_MODULE"] = pickle.load(sys.stdin.buffer)  # noqa: S301
    import django

    django.setup()
    spec = pickle.load(sys.stdin.buffer)  # noqa: S301
    from django.db import connections
    from django.utils import translation

    from yipanqi.imports.batches import Reader
    from yipanqi.imports.checks import RowChecker, to_wire

    translation.activate(spec["language"] or "zh-hans")
    out = sys.stdout.buffer

    def send(message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    checker = RowChecker(kind=spec["kind"], unit=spec["unit"], today=spec["today"])
    reader = Reader(spec["table"], spec["layout"], checker)
    try:
        try:
            for batch in reader._produce():
                if batch is None:  # how far reading and checking have come (issue 12.16)
                    send(("tick", (reader.rows, reader.skipped, reader.read)))
                    continue
                wire = [to_wire(c) for c in batch]
                send(("batch", (reader.rows, reader.skipped, reader.read, wire)))
            send(("end", (reader.rows, reader.skipped, reader.errors)))
        except BrokenPipeError:
            raise
        except Exception as exc:  # handed to the writer, which raises it
            try:
                pickle.dumps(exc)
            except Exception:
                exc = RuntimeError(f"{type(exc).__name__}: {exc}")
            send(("error", exc))
    except BrokenPipeError:  # the writer is gone (killed, or it stopped reading): stop
        os._exit(0)
    finally:
        connections.close_all()


if __name__ == "__main__":
    _main()
