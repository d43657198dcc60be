"""Leads from department feeds (R-FEED-2): the village closes each one, registered or dismissed."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import CASEWORK_ROLES, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.feeds.models import Lead, LeadStatus


def access_lead(user: User, lead_id: int) -> Lead:
    lead = Lead.objects.visible_to(user).filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("No such lead in your jurisdiction."))
    return lead


def close_lead(
    lead_id: int, *, outcome: str, acting_user: User, origin: Origin | None = None
) -> Lead:
    """The unit the lead is for says it registered the person, or that the lead is not one."""
    lead = access_lead(acting_user, lead_id)
    if acting_user.role not in CASEWORK_ROLES:
        raise Rejected.because(_("Only village and township staff close leads."))
    if outcome not in (LeadStatus.REGISTERED, LeadStatus.DISMISSED):
        raise Rejected.because(
            _("Please say whether the person was registered or the lead dismissed.")
        )
    now = timezone.now()
    with transaction.atomic():
        claimed = Lead.objects.filter(pk=lead.pk, status=LeadStatus.OPEN).update(
            status=outcome, closed_at=now, closed_by=acting_user
        )
        if not claimed:
            raise Rejected.because(_("This lead has already been closed."))
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="lead",
            object_id=lead.pk,
            detail={"event": "closed", "outcome": outcome},
        )
    lead.refresh_from_db()
    return lead
