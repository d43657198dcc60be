"""`yipanqi scheduler [--once] [--interval SECONDS]`: run the periodic jobs, each exactly once
per period however many schedulers run (issue 14.3; yipanqi/ops/schedule.py)."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from yipanqi.ops import schedule


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the periodic jobs (deadline sweep, audit checkpoint) once per period, on any number of nodes."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument(
            "--interval", type=int, default=30, help="seconds between rounds (default 30)"
        )

    def handle(self, *args, once: bool, interval: int, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second")
        names = ", ".join(f"{job.name} every {job.every}" for job in schedule.jobs())
        self.stdout.write(f"scheduler {schedule.node_name()}: {names}")
        self.stdout.flush()
        # SIGTERM (systemd, `yipanqi up` stopping) ends the loop like Ctrl-C. A job cut short
        # rolls back its own transaction; its run stays "running" and the page says it stalled.
        signal.signal(signal.SIGTERM, _stop)
        try:
            while True:
                for run in schedule.tick():
                    when = f"{run.period_start:%Y-%m-%d %H:%M}"
                    self.stdout.write(f"{run.job} {when}: {run.outcome} {run.summary}")
                self.stdout.flush()
                if once:
                    return
                time.sleep(interval)
                # A connection that broke or aged while we slept is replaced, as per request.
                close_old_connections()
        except KeyboardInterrupt:
            return
