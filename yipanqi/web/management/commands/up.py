"""`yipanqi up`: migrate, load the real divisions, build demo data and logins, then serve.

It serves with `yipanqi serve` (gunicorn, several workers) and starts the scheduler of the
periodic jobs (deadline sweep, audit checkpoint) in a process of its own beside the server
(`yipanqi scheduler`), never as a thread of a web process. `--dev` serves with Django's development server instead, for work on the code.
"""

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from yipanqi.divisions.models import Division
from yipanqi.people.models import Person


class Command(BaseCommand):
    help = "Prepare the database (migrations, divisions, demo data, demo logins) and serve."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=5000, help="demo persons to create")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to serve on")
        parser.add_argument("--no-serve", action="store_true", help="prepare only")
        parser.add_argument(
            "--dev",
            action="store_true",
            help="serve with Django's development server (one process; not for production)",
        )
        parser.add_argument(
            "--sweep-every",
            type=int,
            default=3600,
            help=(
                "seconds between deadline sweeps and audit checkpoints "
                "(0: no scheduler here; run `yipanqi scheduler` elsewhere)"
            ),
        )

    def handle(
        self, *args, persons: int, addr: str, no_serve: bool, dev: bool, sweep_every: int, **options
    ):
        self.stdout.write("==> migrations")
        call_command("migrate", interactive=False, verbosity=0)
        if Division.objects.filter(level=5).exists():
            self.stdout.write("==> divisions already loaded")
        else:
            self.stdout.write("==> loading administrative divisions (about a minute)")
            call_command("divisions", "load", stdout=self.stdout)
        if persons > 0 and not Person.objects.exists():
            self.stdout.write(f"==> building {persons} demo persons, then the demo logins")
            call_command("demo", "--persons", str(persons), stdout=self.stdout)
        else:
            self.stdout.write("==> demo logins")
            call_command("demo", "--users-only", stdout=self.stdout)
        if no_serve:
            return
        connections.close_all()
        sweeper = None
        if sweep_every > 0:
            self.stdout.write(
                f"==> scheduler: deadline sweep and audit checkpoint every {sweep_every} s "
                "(a process of its own)"
            )
            every = str(max(sweep_every, 60))
            env = dict(
                os.environ,
                YIPANQI_SWEEP_EVERY_SECONDS=every,
                YIPANQI_AUDIT_CHECKPOINT_EVERY_SECONDS=every,
            )
            command = [sys.executable, "-m", "yipanqi.cli", "scheduler"]
            sweeper = subprocess.Popen(command, env=env)  # noqa: S603 (our own command)
        self.stdout.write(f"==> serving on http://{addr}/  (Ctrl-C to stop)")
        self.stdout.flush()
        try:
            if dev:
                call_command("runserver", addr, use_reloader=False)
            else:
                call_command("serve", "--bind", addr)
        finally:
            if sweeper is not None:
                sweeper.terminate()
                try:
                    sweeper.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    sweeper.kill()
