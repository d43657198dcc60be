"""Issue 7, item 8: durability. The server is killed (SIGKILL) in the middle of a stream of
acknowledged registrations; after a restart every acknowledged write is there, nothing is half
written, the audit chain verifies and the database passes its integrity check. The server's
database is made with `yipanqi backup` + `yipanqi restore`, and a restore drill compares the
row hashes of every table (R-REGN-1 registrations are what must not be lost).

Runs on the database the suite runs on: SQLite (WAL, synchronous=FULL) and PostgreSQL.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for, make_user
from yipanqi.accounts.models import ApiToken
from yipanqi.core import backup

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(settings_dict) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    return (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
        f"/{settings_dict['NAME']}"
    )


class Server:
    """`manage.py runserver --noreload` on a given database, in its own process group."""

    def __init__(self, database_url: str, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DATABASE_URL=database_url,
            YIPANQI_DEV="1",
            DJANGO_SETTINGS_MODULE="yipanqi.settings",
            YIPANQI_API_RATE_PER_MINUTE="0",
        )
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.kill()
        raise AssertionError("the server did not start:\n" + log.read_text()[-3000:])

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.log.close()


def _call(server, method, path, key, body=None):
    request = urllib.request.Request(  # noqa: S310 - our own server on the loopback
        server.url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


@pytest.fixture
def server_database(tmp_path):
    """A copy of the test database for the server: `yipanqi backup` then `yipanqi restore`."""
    from yipanqi.divisions.testing import load_test_divisions

    load_test_divisions()
    worker = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    _token, key = ApiToken.issue(worker)
    dump = backup.backup(tmp_path / "drill.backup")
    source = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        target = {**source, "NAME": str(tmp_path / "server.sqlite3")}
    else:
        target = {**source, "NAME": f"yq_durability_{uuid.uuid4().hex[:10]}"}
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target["NAME"]}"')
    try:
        backup.restore(dump, target)
        yield target, key, backup.fingerprint()
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


def _other(target: dict):
    return ConnectionHandler({"default": target})["default"]


def test_r_regn_1_restore_drill_gives_back_every_row(server_database):
    """Issue 7.8: the restored copy has the same row hashes as the original, table by table."""
    target, _key, original = server_database
    restored = _other(target)
    try:
        assert backup.fingerprint_of(restored) == original
    finally:
        restored.close()
    assert len(original) > 20 and any(t.startswith("divisions") for t in original)


def test_r_regn_1_acknowledged_writes_survive_a_sigkill_of_the_server(server_database, tmp_path):
    """Issue 7.8: SIGKILL mid-stream; every 201 is found after the restart; no half writes."""
    target, key, _fingerprint = server_database
    url = _database_url(target)
    log = tmp_path / "server.log"
    server = Server(url, log)
    acknowledged: dict[int, str] = {}
    stop = threading.Event()

    def stream():
        for seq in range(1, 999):
            if stop.is_set():
                return
            id_number = id_for(seq=seq)
            body = {
                "id_number": id_number,
                "name": f"流动{seq}",
                "home_code": SANTAI_VILLAGE,
                "residence_code": NANSHAN_VILLAGE,
                "arrival_date": "2026-03-02",
                "reason": "work",
                "marital_status": "first_marriage",
            }
            try:
                status, answer = _call(server, "POST", "/api/v1/persons/inflow", key, body)
            except OSError:
                return  # the server is gone
            if status == 201:
                acknowledged[answer["person_id"]] = id_number

    writer = threading.Thread(target=stream)
    writer.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 12 and time.monotonic() < deadline and writer.is_alive():
        time.sleep(0.05)
    server.kill()  # SIGKILL while the writer is still sending
    stop.set()
    writer.join(timeout=30)
    assert len(acknowledged) >= 12, log.read_text()[-3000:]

    if connection.vendor == "sqlite":
        db = sqlite3.connect(target["NAME"])
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            db.close()
    restarted = Server(url, log)
    try:
        for person_id, id_number in acknowledged.items():
            status, person = _call(restarted, "GET", f"/api/v1/persons/{person_id}", key)
            assert status == 200, (person_id, status)
            assert person["id_number"] == id_number
            assert [r["kind"] for r in person["registrations"]] == ["inflow"]
    finally:
        restarted.kill()
    server_db = _other(target)
    try:
        with server_db.cursor() as cursor:
            # Nothing half written: every person has a registration and a creation audit row.
            cursor.execute(
                "SELECT count(*) FROM people_person p WHERE NOT EXISTS "
                "(SELECT 1 FROM people_registration r WHERE r.person_id = p.id) OR NOT EXISTS "
                "(SELECT 1 FROM audit_auditevent a WHERE a.person_id = p.id "
                "AND a.action = 'person_create')"
            )
            assert cursor.fetchone()[0] == 0
            if server_db.vendor == "postgresql":
                cursor.execute("SELECT count(*) FROM people_person")
                assert cursor.fetchone()[0] >= len(acknowledged)
    finally:
        server_db.close()
    verify = subprocess.run(
        [sys.executable, "manage.py", "audit", "verify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DATABASE_URL": url,
            "YIPANQI_DEV": "1",
            "DJANGO_SETTINGS_MODULE": "yipanqi.settings",
            # This database's own checkpoints (none), not those of a demo server in var/.
            "YIPANQI_AUDIT_ANCHOR_FILE": str(tmp_path / "audit-anchors.jsonl"),
        },
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
