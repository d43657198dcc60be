"""Which WSGI server (issue 14.1): the development server, gunicorn and granian, side by side.

Each server serves the same database on loopback in turn; wrk drives the same pages at the same
concurrency for the same time, with a township worker's session. Prints requests/s, the latency
percentiles and errors for each, so the choice in pyproject.toml can be checked on any machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yipanqi YIPANQI_DEV=1 \
        .venv/bin/python bench/servers.py --seconds 15

Needs a database with the demo (`yipanqi up --no-serve`), wrk (Debian's package) and, for the
granian row, `pip install granian` (not a dependency of the platform).
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def session_cookie(username: str) -> str:
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "from yipanqi.accounts.models import User;"
        f"c = Client(); c.force_login(User.objects.get(username={username!r}));"
        "print(c.cookies['sessionid'].value)"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="yipanqi.settings")
    out = subprocess.run(
        [PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def servers(port: int, workers: int, threads: int) -> dict[str, list[str]]:
    bind = f"127.0.0.1:{port}"
    found = {
        "development server": [PYTHON, "-m", "yipanqi.cli", "runserver", bind, "--noreload"],
        "gunicorn": [
            *[PYTHON, "-m", "yipanqi.cli", "serve", "--bind", bind],
            *["--workers", str(workers), "--threads", str(threads), "--access-log", ""],
        ],
    }
    granian = shutil.which("granian") or str(Path(PYTHON).with_name("granian"))
    if Path(granian).exists():
        found["granian"] = [
            *[granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)],
            *["--workers", str(workers), "--blocking-threads", str(threads)],
            "--no-ws",
            "yipanqi.wsgi:application",
        ]
    return found


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {url} within {seconds} s")


def wrk(url: str, cookie: str, connections: int, seconds: int) -> dict[str, str]:
    out = subprocess.run(
        [
            *["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"],
            *["--timeout", "10s", "-H", f"Cookie: sessionid={cookie}", url],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)}
    for p in ("50", "90", "99"):
        match = re.search(rf"^\s+{p}%\s+(\S+)", out, re.MULTILINE)
        figures[f"p{p}"] = match.group(1) if match else "?"
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    figures["errors"] = str(
        (int(errors.group(1)) if errors else 0) + (int(timeouts.group(1)) if timeouts else 0)
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--user", default="township")
    parser.add_argument("--concurrency", default="10,50")
    args = parser.parse_args()
    cookie = session_cookie(args.user)
    pages = {"person list": "/persons/", "home": "/", "sign-in page": "/login/"}
    print(
        f"{os.cpu_count()} cores; {args.workers} workers x {args.threads} threads; {args.seconds} s each"
    )
    print(
        f"{'server':20} {'page':14} {'conc':>4} {'req/s':>8} {'p50':>9} {'p90':>9} {'p99':>9} {'errors':>6}"
    )
    for name, command in servers(args.port, args.workers, args.threads).items():
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{args.port}"
            wait_until_up(base + "/healthz")
            for page, path in pages.items():
                wrk(base + path, cookie, 10, 2)  # warm every worker up
                for connections in (int(c) for c in args.concurrency.split(",")):
                    f = wrk(base + path, cookie, connections, args.seconds)
                    print(
                        f"{name:20} {page:14} {connections:>4} {f['rps']:>8} {f['p50']:>9} "
                        f"{f['p90']:>9} {f['p99']:>9} {f['errors']:>6}",
                        flush=True,
                    )
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
