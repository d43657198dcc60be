"""The daily checks as a periodic job of the one scheduler (issue 14.3, `yipanqi scheduler`):
overdue requests (R-EX-3), lost contact (R-REGN-4), late complaints (R-GRV-1). The sweep is
idempotent, and one run catches up on everything that came due while nothing ran."""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yipanqi.core.clock import local_date
from yipanqi.exchange.sweep import sweep


def sweep_job(now: dt.datetime) -> str:
    report = sweep(local_date(now), now=now)
    return gettext(
        "%(day)s: %(overdue)s overdue, %(lost)s lost contact, %(escalated)s complaints escalated"
    ) % {
        "day": report.today.isoformat(),
        "overdue": report.overdue,
        "lost": report.lost_contact,
        "escalated": report.complaints_escalated,
    }


def register_sweep_job() -> None:
    from yipanqi.ops import schedule

    schedule.register(
        "sweep",
        label=_("Deadline sweep"),
        every=dt.timedelta(seconds=settings.SWEEP_EVERY_SECONDS),
        run=sweep_job,
    )
