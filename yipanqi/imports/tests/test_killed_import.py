"""A process killed with SIGKILL mid-import leaves the database as it was (issue 5, item 3).

The import runs as `yipanqi import` in a child process on its own database (a SQLite file, or
a fresh PostgreSQL database when the suite runs on PostgreSQL); the test waits until the child
reports a written batch, kills it, and looks at the tables from outside.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from conftest import NANSHAN_VILLAGE, id_for
from yipanqi.imports.tests.conftest import inflow_row, write_csv

ROOT = Path(__file__).resolve().parents[3]
ROWS = 60_000
pytestmark = pytest.mark.slow


def _database(tmp_path: Path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path}/kill.sqlite3", None
    import psycopg

    name = f"yipanqi_kill_{os.getpid()}"
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return urlunparse(urlparse(url)._replace(path=f"/{name}")), (admin, name)


def _python(env, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=True,
    )  # fmt: skip
    return done.stdout.strip()


SETUP = "import django; django.setup(); "
COUNTS = SETUP + (
    "from yipanqi.people.models import Person, Registration, PersonEvent; "
    "from yipanqi.imports.models import ImportJob; from yipanqi.imports.services import "
    "read_progress; import json; jobs = list(ImportJob.objects.order_by('pk')); "
    "[read_progress(j) for j in jobs]; "
    "print(json.dumps([Person.objects.count(), Registration.objects.count(), "
    "PersonEvent.objects.count(), [(j.status, j.created) for j in "
    "ImportJob.objects.order_by('pk')]]))"
)


def _readers_of(url: str) -> list[int]:
    """The reader processes (yipanqi.imports.reader) of imports into this database."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (
                b"yipanqi.imports.reader" in (entry / "cmdline").read_bytes()
                and url.encode() in (entry / "environ").read_bytes()
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_sigkill_mid_import_leaves_nothing_half_written_and_a_rerun_completes(tmp_path):
    url, dropper = _database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "YIPANQI_DEV": "1",
        "YIPANQI_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "yipanqi.settings",
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True,
            timeout=300,
        )  # fmt: skip
        _python(env, SETUP + "from yipanqi.divisions.testing import load_test_divisions as l; l()")
        born = dt.date(1980, 1, 1)
        rows = [
            inflow_row(n, id=id_for(birth=born + dt.timedelta(days=n // 500), seq=n % 500))
            for n in range(ROWS)
        ]
        path = write_csv(tmp_path / "big.csv", rows)
        command = [sys.executable, "manage.py", "import", str(path), "--kind", "inflow",
                   "--jurisdiction", NANSHAN_VILLAGE, "--no-progress"]  # fmt: skip
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE)
        progress = tmp_path / "var" / "imports" / "progress" / "1.json"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if json.loads(progress.read_text())["done"] > 0:
                    break
            except (OSError, ValueError):
                pass
            assert child.poll() is None, "the import finished before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the import never reported progress")
        # A file this large is read by a reader process of its own (pipeline.PROCESS_MIN_ROWS).
        readers = _readers_of(url)
        assert readers, "no reader process"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        # The reader stops by itself once its writer is gone (its pipe breaks).
        deadline = time.monotonic() + 30
        while _readers_of(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _readers_of(url), "the reader process outlived its killed writer"

        persons, registrations, events, jobs = json.loads(_python(env, COUNTS))
        # At least one batch of 20,000 rows had been written inside the transaction.
        assert (persons, registrations, events) == (0, 0, 0)
        assert jobs == [["failed", 0]]

        rerun = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                               timeout=600)  # fmt: skip
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert json.loads(rerun.stdout)["created"] == ROWS
        persons, registrations, events, jobs = json.loads(_python(env, COUNTS))
        assert (persons, registrations, events) == (ROWS, ROWS, ROWS)
    finally:
        if dropper:
            import psycopg

            admin, name = dropper
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
