"""`yipanqi serve`: the platform under gunicorn, the production WSGI server (issue 14.1).

Gunicorn runs a master process and a number of worker processes. The master restarts a worker
that dies or hangs past `--timeout`, reloads the workers one by one on SIGHUP without dropping
connections (graceful reload), and stops them gracefully on SIGTERM. Each worker runs a few
threads, so a slow export does not hold a whole process. Static files are served by WhiteNoise
from the collected files, so no CDN and no separate web server is needed.

Settings come from the command line, else from the environment (YIPANQI_BIND, YIPANQI_WORKERS,
YIPANQI_THREADS, YIPANQI_TIMEOUT), else the defaults below.
"""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from yipanqi.core.env import envint, envstr


def default_workers() -> int:
    """Two processes per core plus one, gunicorn's own advice for a mostly-waiting app."""
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_options(
    *, bind: str, workers: int, threads: int, timeout: int, access_log: str
) -> dict:
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        # A worker is replaced after this many requests (with jitter, not all at once): any
        # slow leak in a library never grows without bound.
        "max_requests": 5000,
        "max_requests_jitter": 500,
        "accesslog": access_log or None,
        "errorlog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s',
        "forwarded_allow_ips": envstr("YIPANQI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "proc_name": "yipanqi",
    }


def run_gunicorn(options: dict) -> None:
    from gunicorn.app.base import BaseApplication

    class Platform(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from django.core.wsgi import get_wsgi_application

            return get_wsgi_application()

    # Each worker keeps its Prometheus figures in files of this folder, added up at scrape
    # (issue 14.6); a fresh folder per start, and a dead worker's live gauges are dropped.
    folder = Path(settings.VAR_DIR) / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    options = dict(options, child_exit=_child_exit, post_fork=_post_fork)
    # The master forks the workers: no database connection may cross the fork.
    connections.close_all()
    Platform().run()


def _post_fork(server, worker) -> None:
    from yipanqi.ops.metrics import for_worker

    for_worker()


def _child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class Command(BaseCommand):
    help = "Serve the platform under gunicorn with several workers (production)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=envstr("YIPANQI_BIND", "127.0.0.1:8000"), help="address:port"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=envint("YIPANQI_WORKERS", default_workers()),
            help="worker processes (default: 2 per core + 1)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=envint("YIPANQI_THREADS", 4),
            help="threads in each worker process",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=envint("YIPANQI_TIMEOUT", 120),
            help="seconds before a silent worker is restarted",
        )
        parser.add_argument(
            "--access-log", default="-", help="access log file ('-': standard output; '': none)"
        )

    def handle(self, *args, bind, workers, threads, timeout, access_log, **options):
        if workers < 1 or threads < 1 or timeout < 1:
            raise CommandError("--workers, --threads and --timeout must each be at least 1")
        self.stdout.write(
            f"==> serving on http://{bind}/ with gunicorn: {workers} workers x {threads} threads"
        )
        self.stdout.flush()
        run_gunicorn(
            gunicorn_options(
                bind=bind, workers=workers, threads=threads, timeout=timeout, access_log=access_log
            )
        )
