"""The daily sweep on a schedule inside the server process (`yipanqi up --sweep-every`), and
with it the audit chain's checkpoint (verify, then anchor the head outside the database).

Deployments with several server processes run `yipanqi sweep` and `yipanqi audit anchor` from
cron or a systemd timer instead; the sweep is idempotent and claims rows with conditional
UPDATEs, so an overlap between the two never double-acts; extra checkpoints are harmless.
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


def run_audit_checkpoint_once():
    """Issue 16.8: verify the audit chain and anchor its head; log and swallow failures."""
    from yipanqi.audit.anchors import checkpoint

    close_old_connections()
    try:
        return checkpoint()
    except Exception:
        logger.exception("audit checkpoint failed; it will be tried again at the next interval")
        return None
    finally:
        close_old_connections()


def start_periodic_sweep(interval_seconds: float) -> threading.Event:
    """Sweep and checkpoint the audit chain now and then every interval in a daemon thread;
    set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            run_sweep_once()
            run_audit_checkpoint_once()
            stop.wait(interval_seconds)

    threading.Thread(target=loop, name="yipanqi-sweep", daemon=True).start()
    return stop
