"""One run of the daily sweep, and of the audit chain's checkpoint (verify, then anchor the head
outside the database), for a process that repeats them (`yipanqi sweep --every`, which
`yipanqi up --sweep-every` starts beside the server, never as a thread of a web process).

Deployments with several server processes run `yipanqi sweep` and `yipanqi audit anchor` from
cron or a systemd timer instead; the sweep is idempotent and claims rows with conditional
UPDATEs, so an overlap between the two never double-acts; extra checkpoints are harmless.
"""

import logging

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
