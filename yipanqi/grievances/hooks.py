"""What grievances plugs into exchange (called from GrievancesConfig.ready): how a complaint
referral reads, the daily escalation of overdue complaints (R-GRV-1), and the open complaints a newly
loaded holiday schedule moves (workdays, R-WD-4)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yipanqi.exchange import hooks
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.payloads import Described, Link, choice_label, facts
from yipanqi.grievances.models import Category, Complaint


def describe_referral(request: Request, user, described: Described) -> None:
    """The complaint handed over, with a link for a user who may open it."""
    payload = request.payload
    described.facts += facts(
        (_("Complaint reference"), payload.get("complaint")),
        (pgettext("complaint", "About"), choice_label(Category, payload.get("category"))),
    )
    found = Complaint.objects.visible_to(user).filter(referral=request).first()
    if found is not None:
        described.links.append(
            Link(_("Open the complaint"), reverse("grievances:detail", args=[found.pk]))
        )


def register() -> None:
    from yipanqi.grievances.services import (
        calendar_label,
        escalate_overdue_complaints,
        move_due_for_calendar,
        open_for_calendar,
    )
    from yipanqi.workdays.changes import register_deadline_source

    hooks.register_describer((RequestType.COMPLAINT_REFERRAL,), describe_referral)
    hooks.register_sweep_step("complaints_escalated", escalate_overdue_complaints)  # R-GRV-1
    # R-WD-4: a newly loaded schedule moves the open complaints' due dates.
    register_deadline_source(
        "complaint",
        open_items=open_for_calendar,
        label=calendar_label,
        move=move_due_for_calendar,
    )
