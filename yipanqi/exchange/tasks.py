"""The sweep as a Django task, for a scheduler or worker to enqueue daily (the command is the same)."""

from django.tasks import task
from django.utils import timezone

from yipanqi.exchange.sweep import sweep


@task
def sweep_today() -> dict:
    """Run the daily sweep for today's Beijing date; idempotent, so a repeated run is harmless."""
    report = sweep(timezone.localdate())
    return {
        "today": report.today.isoformat(),
        "overdue": report.overdue,
        "lost_contact": report.lost_contact,
    }
