"""`yipanqi sweep [--today YYYY-MM-DD] [--every SECONDS]`: mark overdue requests and lost contact
(idempotent). With --every it runs in its own process until stopped: the sweep and the audit
checkpoint now and then every so many seconds (`yipanqi up` starts one beside the server)."""

import datetime as dt
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yipanqi.exchange.sweep import sweep


class Command(BaseCommand):
    help = "Mark overdue requests (R-EX-3) and flag lost contact (R-REGN-4), escalate late complaints (R-GRV-1); safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to sweep for, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="run now and then every so many seconds, until stopped (0: once)",
        )

    def handle(self, *args, today=None, every=0, **options):
        if every < 0:
            raise CommandError("--every must be 0 (once) or a number of seconds")
        if every:
            if today:
                raise CommandError("--today and --every do not go together")
            self._every(every)
            return
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from None
        report = sweep(day)
        self.stdout.write(
            f"sweep {report.today.isoformat()}: {report.overdue} requests became overdue, "
            f"{report.lost_contact} outflow persons flagged as lost contact, "
            f"{report.complaints_escalated} late complaints escalated"
        )

    def _every(self, seconds: int) -> None:
        from yipanqi.exchange.scheduler import run_audit_checkpoint_once, run_sweep_once

        self.stdout.write(f"sweep and audit checkpoint now and every {seconds} s")
        self.stdout.flush()
        # SIGTERM (systemd, `yipanqi up` stopping) ends the loop like Ctrl-C; a sweep cut short
        # rolls back its transaction and the next run claims the same rows.
        signal.signal(signal.SIGTERM, _stop)
        try:
            while True:
                run_sweep_once()
                run_audit_checkpoint_once()
                time.sleep(seconds)
        except KeyboardInterrupt:
            return


def _stop(signum, frame):
    raise KeyboardInterrupt
