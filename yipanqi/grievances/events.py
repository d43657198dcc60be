"""A complaint's timeline: one function per event type (the staff page and the public status)."""

from yipanqi.grievances.models import Complaint, ComplaintEvent, ComplaintEventType


def _event(complaint: Complaint, type_: str, *, at, actor=None, unit=None, **data):
    return ComplaintEvent.objects.create(
        complaint=complaint, at=at, type=type_, actor=actor, unit=unit, data=data
    )


def complaint_filed(complaint: Complaint, *, at, actor) -> ComplaintEvent:
    return _event(
        complaint,
        ComplaintEventType.FILED,
        at=at,
        actor=actor,
        unit=complaint.filed_by_unit,
        channel=complaint.channel,
    )


def complaint_assigned(complaint: Complaint, *, at) -> ComplaintEvent:
    return _event(
        complaint,
        ComplaintEventType.ASSIGNED,
        at=at,
        unit=complaint.assigned_to,
        due_on=complaint.due_on.isoformat(),
        deadline_days=complaint.deadline_days,
    )


def complaint_referred(complaint: Complaint, *, at, actor) -> ComplaintEvent:
    return _event(
        complaint,
        ComplaintEventType.REFERRED,
        at=at,
        actor=actor,
        unit=complaint.assigned_to,
        request_id=complaint.referral_id,
    )


def complaint_answered(complaint: Complaint, *, at, actor, late: bool) -> ComplaintEvent:
    return _event(
        complaint,
        ComplaintEventType.ANSWERED,
        at=at,
        actor=actor,
        unit=complaint.assigned_to,
        late=late,
    )


def _moved(complaint: Complaint, type_, *, at, actor, from_code: str, reason: str):
    """A move to the unit the complaint is now with, and the due date it has there."""
    return _event(
        complaint,
        type_,
        at=at,
        actor=actor,
        unit=complaint.assigned_to,
        from_code=from_code,
        reason=reason,
        due_on=complaint.due_on.isoformat(),
    )


def complaint_transferred(
    complaint: Complaint, *, at, actor, from_code: str, reason: str
) -> ComplaintEvent:
    return _moved(
        complaint,
        ComplaintEventType.TRANSFERRED,
        at=at,
        actor=actor,
        from_code=from_code,
        reason=reason,
    )


def complaint_escalated(
    complaint: Complaint, *, at, actor, from_code: str, reason: str = ""
) -> ComplaintEvent:
    """actor None: the daily sweep escalated it."""
    return _moved(
        complaint,
        ComplaintEventType.ESCALATED,
        at=at,
        actor=actor,
        from_code=from_code,
        reason=reason,
    )
