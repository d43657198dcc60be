"""`yipanqi sweep [--today YYYY-MM-DD]`: mark overdue requests and lost contact (idempotent).
The scheduler runs the same sweep periodically (`yipanqi scheduler`)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yipanqi.exchange.sweep import sweep


class Command(BaseCommand):
    help = "Mark overdue requests (R-EX-3) and flag lost contact (R-REGN-4), escalate late complaints (R-GRV-1); safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to sweep for, YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
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
