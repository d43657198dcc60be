"""/api/v1/grievances/: complaints (R-GRV-1). Staff list, file, read and answer them; a citizen
files one and follows it with the reference number and access code, without an account.

Rules live in yipanqi.grievances. A complaint outside your scope is 404; input the rules refuse
is 422 with a field error map.
"""

import datetime as dt
from enum import StrEnum

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from yipanqi.api.v1.common import ErrorOut, act, api_origin, page_of, require_casework
from yipanqi.core.serialize import pick
from yipanqi.grievances import selectors, services
from yipanqi.grievances.models import Category, Channel, Complaint, ComplaintStatus

router = Router(tags=["grievances"])

NO_CASEWORK = "Your role does not take complaints."


class View(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    ANSWERED = "answered"
    ALL = "all"


class StaffChannel(StrEnum):
    STAFF = "staff"
    HOTLINE = "hotline"


class ComplaintIn(Schema):
    category: Category
    place_code: str = Field(..., pattern=r"^(\d{6}|\d{9}|\d{12})$", description="county or below")
    description: str = Field(..., min_length=1, max_length=4000)
    complainant_name: str = Field("", max_length=50)
    contact: str = Field("", max_length=30, description="a phone number to call back")


class StaffComplaintIn(ComplaintIn):
    channel: StaffChannel = StaffChannel.STAFF
    person_id: int | None = None


class FiledOut(Schema):
    reference: str
    secret: str = Field(description="the access code; shown once, never stored in clear")
    assigned_to_code: str
    due_on: dt.date


class LookupIn(Schema):
    reference: str = Field(..., max_length=20)
    secret: str = Field(..., max_length=20)


class ComplaintEventOut(Schema):
    at: dt.datetime
    type: str
    unit_code: str | None


class PublicComplaintOut(Schema):
    reference: str
    category: Category
    status: ComplaintStatus
    received_at: dt.datetime
    assigned_to_code: str
    assigned_to_name: str
    due_on: dt.date
    answer: str
    answered_at: dt.datetime | None
    events: list[ComplaintEventOut]


class ComplaintOut(PublicComplaintOut):
    id: int
    channel: Channel
    description: str
    place_code: str
    person_id: int | None
    complainant_name: str
    contact_masked: str
    deadline_days: int
    rule_reason: str
    working_days_left: int | None = Field(description="while open; negative = overdue")
    answered_late: bool | None
    referral_request_id: int | None
    rights_violation: bool
    escalations: int = Field(description="times sent one level up for lateness")


class ComplaintPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ComplaintOut]


class ComplaintFilterIn(Schema):
    view: View = View.OPEN
    category: Category | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


class ComplaintAnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=4000)


class ComplaintTransferIn(Schema):
    to_code: str = Field(
        ...,
        pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9})$",
        description="a township, county, city or province; not the unit the complaint is about",
    )
    reason: str = Field(..., min_length=1, max_length=500)


class MovedOut(Schema):
    detail: str
    assigned_to_code: str


class ComplaintEscalateIn(Schema):
    reason: str = Field("", max_length=500, description="an optional note for the level above")


def _public(c: Complaint) -> dict:
    return {
        **pick(
            c,
            "reference",
            "category",
            "status",
            "received_at",
            "due_on",
            "answer",
            "answered_at",
            assigned_to_code="assigned_to_id",
        ),
        "assigned_to_name": str(c.assigned_to),
        "events": [{"at": e.at, "type": e.type, "unit_code": e.unit_id} for e in c.events.all()],
    }


def _full(c: Complaint) -> dict:
    return {
        **_public(c),
        **pick(
            c,
            "channel",
            "description",
            "person_id",
            "complainant_name",
            "contact_masked",
            "deadline_days",
            "rule_reason",
            id="pk",
            place_code="place_id",
        ),
        "working_days_left": selectors.days_left(c),
        "answered_late": c.answered_late,
        "referral_request_id": c.referral_id,
        "rights_violation": c.is_rights_violation,
        "escalations": c.escalations,
    }


def _filed(filed: services.FiledComplaint) -> dict:
    c = filed.complaint
    return {
        "reference": c.reference,
        "secret": filed.secret,
        "assigned_to_code": c.assigned_to_id,
        "due_on": c.due_on,
    }


def _get(request, complaint_id: int) -> Complaint:
    require_casework(request, NO_CASEWORK)
    return services.access_complaint(request.auth, complaint_id)


@router.post(
    "/public",
    auth=None,
    response={201: FiledOut, 422: ErrorOut},
    summary="File a complaint without an account (R-GRV-1, R-ACC-3)",
)
def file_public(request, payload: ComplaintIn):
    """Limited per connection; keep the reference and the access code to follow it."""
    filed = services.file_complaint(
        services.ComplaintInput(**payload.dict()),
        acting_user=None,
        origin=api_origin(request, "public"),
    )
    return Status(201, _filed(filed))


@router.post(
    "/public/status",
    auth=None,
    response={200: PublicComplaintOut, 404: ErrorOut, 422: ErrorOut},
    summary="Follow a complaint with its reference and access code",
)
def public_status(request, payload: LookupIn):
    complaint = services.lookup_complaint(
        payload.reference, payload.secret, origin=api_origin(request, "public")
    )
    return Status(200, _public(complaint))


@router.get("", response=ComplaintPageOut, summary="Complaints your units answer for or filed")
def list_complaints(request, filters: Query[ComplaintFilterIn]):
    require_casework(request, NO_CASEWORK)
    qs = selectors.list_complaints(
        request.auth, selectors.Filters(view=filters.view, category=filters.category or "")
    )
    return page_of(qs.prefetch_related("events"), filters.page, filters.page_size, _full)


@router.post(
    "",
    response={201: FiledOut, 422: ErrorOut},
    summary="Record a complaint received by staff or the 12356 hotline",
)
def file_staff(request, payload: StaffComplaintIn):
    require_casework(request, NO_CASEWORK)
    data = payload.dict()
    channel = data.pop("channel")
    filed = services.file_complaint(
        services.ComplaintInput(**data),
        acting_user=request.auth,
        channel=channel,
        origin=api_origin(request),
    )
    return Status(201, _filed(filed))


@router.get("/{int:complaint_id}", response=ComplaintOut, summary="One complaint with its timeline")
def get_complaint(request, complaint_id: int):
    return _full(_get(request, complaint_id))


@router.post(
    "/{int:complaint_id}/answer",
    response={200: ComplaintOut, 422: ErrorOut},
    summary="Answer a complaint your jurisdiction is responsible for",
)
def answer(request, complaint_id: int, payload: ComplaintAnswerIn):
    complaint = _get(request, complaint_id)
    act(request, services.answer_complaint, complaint.pk, payload=payload)
    return Status(200, _full(services.access_complaint(request.auth, complaint.pk)))


def _after_move(request, moved: Complaint) -> Status:
    if services.access_complaint_or_none(request.auth, moved.pk) is None:
        # Handed out of the user's scope: say where it went, nothing more.
        return Status(
            202,
            {
                "detail": _("Handed over: it is no longer in your jurisdiction."),
                "assigned_to_code": moved.assigned_to_id,
            },
        )
    return Status(200, _full(services.access_complaint(request.auth, moved.pk)))


@router.post(
    "/{int:complaint_id}/transfer",
    response={200: ComplaintOut, 202: MovedOut, 422: ErrorOut},
    summary="Hand a complaint to another unit, with the reason (R-GRV-1)",
)
def transfer(request, complaint_id: int, payload: ComplaintTransferIn):
    """The responsible unit or a level above it; the due date stays. 202 when the complaint
    left your jurisdiction with the transfer."""
    complaint = _get(request, complaint_id)
    moved = act(request, services.transfer_complaint, complaint.pk, payload=payload)
    return _after_move(request, moved)


@router.post(
    "/{int:complaint_id}/escalate",
    response={200: ComplaintOut, 202: MovedOut, 422: ErrorOut},
    summary="Send a late complaint to the next level up (R-GRV-1)",
)
def escalate(request, complaint_id: int, payload: ComplaintEscalateIn):
    """Only past its due date; the level above gets its own deadline. The daily sweep does the
    same for every late complaint."""
    complaint = _get(request, complaint_id)
    moved = act(request, services.escalate_complaint, complaint.pk, payload=payload)
    return _after_move(request, moved)
