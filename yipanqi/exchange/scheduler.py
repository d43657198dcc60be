"""The daily sweep on a schedule inside the server process (`yipanqi up --sweep-every`).

Deployments with several server processes run `yipanqi sweep` from cron or a systemd timer
instead; the sweep is idempotent and claims rows with conditional UPDATEs, so an overlap between
the two never double-acts.
"""

import logging
import threading

from django.db import close_old_connections
from django.utils import timezone

from yipanqi.exchange.sweep import SweepReport, sweep

logger = logging.getLogger(__name__)


def run_sweep_once() -> SweepReport | None:
    """Sweep for today's Beijing date; log and swallow failures so the schedule goes on."""
    close_old_connections()
    try:
        report = sweep(timezone.localdate())
    except Exception:
        logger.exception("scheduled sweep failed; it will be tried again at the next interval")
        return None
    finally:
        close_old_connections()
    logger.info(
        "scheduled sweep %s: %s overdue, %s lost contact",
        report.today,
        report.overdue,
        report.lost_contact,
    )
    return report


def start_periodic_sweep(interval_seconds: float) -> threading.Event:
    """Sweep now and then every interval in a daemon thread; set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            run_sweep_once()
            stop.wait(interval_seconds)

    threading.Thread(target=loop, name="yipanqi-sweep", daemon=True).start()
    return stop
