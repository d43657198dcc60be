"""/api/v1/exchange/: inbox, outbox, one request, answer, escalate, close, send (R-EX-1..5).

Rules live in yipanqi.exchange. A request outside your scope is 404; input the rules refuse
is 422 with a field error map, like schema errors.
"""

import datetime as dt
from enum import StrEnum

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from yipanqi.api.v1.common import ErrorOut, act, api_origin, page_of, require_casework, timeline
from yipanqi.exchange import coordination, payloads, selectors, services
from yipanqi.exchange.answers import answers_for
from yipanqi.exchange.models import Request, RequestStatus, RequestType
from yipanqi.people.models import Person

router = Router(tags=["exchange"])

NO_CASEWORK = "Your role does not take part in exchanges."


class StatusFilter(StrEnum):
    AWAITING = "awaiting"
    ALL = "all"
    SENT = "sent"
    DELIVERED = "delivered"
    ANSWERED = "answered"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    CLOSED = "closed"


class RequestFilterIn(Schema):
    type: RequestType | None = None
    status: StatusFilter | None = Field(
        None, description="default: awaiting an answer (inbox, outbox); every late one (overdue)"
    )
    since: dt.date | None = Field(None, description="sent on or after")
    until: dt.date | None = Field(None, description="sent on or before")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


class RequestEventOut(Schema):
    at: dt.datetime
    type: str
    actor: str | None
    unit_code: str | None = Field(None, alias="unit_id")
    data: dict


class RequestSummaryOut(Schema):
    id: int
    type: RequestType
    status: RequestStatus
    sender_code: str = Field(..., alias="sender_id")
    receiver_code: str = Field(..., alias="receiver_id")
    subject: str
    delivered_at: dt.datetime | None
    due_on: dt.date
    deadline_days: int
    due_fallback: bool
    working_days_left: int | None = Field(
        None, description="while awaiting an answer; negative = working days overdue"
    )


class FactOut(Schema):
    label: str
    value: str


class ServiceLineOut(Schema):
    date: str
    service: str
    provider: str
    charged: str


class LinkOut(Schema):
    label: str
    url: str = Field(..., description="a web page this user may open")


class AnswerChoiceOut(Schema):
    code: str
    text: str
    needs_note: bool


class RequestOut(RequestSummaryOut):
    sender_name: str
    receiver_name: str
    person_ids: list[int]
    payload: dict
    rule_set_id: int
    rule_reason: str
    answer: str
    answered_by: str | None
    answered_at: dt.datetime | None
    escalated_to_code: str | None = Field(
        None, description="with status escalated: empty means the national level"
    )
    escalation_reason: str
    asks: str = Field(..., description="what the request asks of its receiver, in words")
    facts: list[FactOut] = Field(..., description="the payload in words")
    services: list[ServiceLineOut] = Field(..., description="a service report's services")
    links: list[LinkOut] = Field(..., description="the request's subject, where you may open it")
    may_answer: bool
    coordinator_code: str | None = Field(
        None, description="escalated: the unit coordinating it now (empty = the nation)"
    )
    decision: str = Field(..., description="the higher level's decision, once made")
    may_coordinate: bool
    assign_choices: list[str] = Field(
        ..., description="division codes the coordination can be assigned to"
    )
    answer_choices: list[AnswerChoiceOut] = Field(
        ..., description="the canned answers that fit this kind of request"
    )
    events: list[RequestEventOut]


class RequestPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[RequestSummaryOut]


class CannedCode(StrEnum):
    CONFIRMED = "confirmed"
    RECEIVED = "received"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"


class RequestAnswerIn(Schema):
    answer: str = Field("", max_length=4000, description="the answer in words, or give canned")
    canned: CannedCode | None = Field(
        None,
        description="a canned answer; allowed ones per request are in its answer_choices. "
        "mismatch (not as stated) needs a note",
    )
    note: str = Field("", max_length=3000, description="goes with a canned answer")


class EscalateIn(Schema):
    """Only a reason: the target is always the two sides' lowest common ancestor (R-EX-3), so
    a field naming a level is refused (422), never silently obeyed or ignored (issue 12.3)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., min_length=1, max_length=2000)


class Outcome(StrEnum):
    CLOSE = "close"
    RECEIVER = "receiver"
    SENDER = "sender"


class DecideIn(Schema):
    decision: str = Field(..., min_length=1, max_length=2000)
    outcome: Outcome = Field(
        ...,
        description="close: settled; receiver: back to it to answer within working_days; "
        "sender: back to it with the decision as the answer",
    )
    working_days: int | None = Field(None, ge=1, le=60, description="with outcome receiver")


class RescheduleIn(Schema):
    working_days: int = Field(..., ge=1, le=60, description="the new due date, from today")
    reason: str = Field(..., min_length=1, max_length=2000)


class AssignIn(Schema):
    unit_code: str = Field(..., description="one of the request's assign_choices")
    note: str = Field("", max_length=2000)


class SendIn(Schema):
    type: RequestType = RequestType.CO_INVESTIGATION
    receiver_code: str = Field(..., pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$")
    person_ids: list[int] = Field(default_factory=list, max_length=50)
    question: str = Field(..., min_length=1, max_length=2000)
    idempotency_key: str = Field(
        ..., min_length=1, max_length=80, description="the same key sends once (R-EX-5)"
    )


def _summary(item: Request) -> dict:
    return {
        **{
            f: getattr(item, f)
            for f in (
                "id", "type", "status", "sender_id", "receiver_id", "subject", "delivered_at",
                "due_on", "deadline_days", "due_fallback",
            )
        },
        "working_days_left": selectors.days_left(item),
    }  # fmt: skip


def _full(item: Request, user) -> dict:
    described = payloads.describe(item, user)
    return {
        **_summary(item),
        "sender_name": str(item.sender),
        "receiver_name": str(item.receiver),
        "person_ids": [p.pk for p in item.persons.all()],
        "payload": item.payload,
        "rule_set_id": item.rule_set_id,
        "rule_reason": item.rule_reason,
        "answer": item.answer,
        "answered_by": str(item.answered_by) if item.answered_by else None,
        "answered_at": item.answered_at,
        "escalated_to_code": item.escalated_to_id,
        "escalation_reason": item.escalation_reason,
        "asks": described.asks,
        "facts": [{"label": f.label, "value": f.value} for f in described.facts],
        "services": described.services,
        "links": [{"label": link.label, "url": link.url} for link in described.links],
        "may_answer": services.may_answer(user, item)
        and not (
            coordination.may_coordinate(user, item) and user.jurisdiction_id != item.receiver_id
        ),
        "coordinator_code": item.coordinating_code,
        "decision": item.decision,
        "may_coordinate": coordination.may_coordinate(user, item),
        "assign_choices": [d.code for d in coordination.assign_choices(item)]
        if coordination.may_coordinate(user, item)
        else [],
        "answer_choices": [
            {"code": a.code, "text": str(a.text), "needs_note": a.needs_note}
            for a in answers_for(item.type)
        ],
        "events": timeline(item.events, "unit_id"),
    }


def _get(request, request_id: int) -> Request:
    require_casework(request, NO_CASEWORK)
    return services.access_request(request.auth, request_id)


def _list(request, box: str, filters: RequestFilterIn) -> dict:
    require_casework(request, NO_CASEWORK)
    qs = selectors.list_requests(
        request.auth,
        box,
        selectors.Filters(
            type=filters.type or "",
            status=filters.status or "",
            since=filters.since,
            until=filters.until,
        ),
    )
    return page_of(qs, filters.page, filters.page_size, _summary)


@router.get("/inbox", response=RequestPageOut, summary="What your jurisdiction owes, by due date")
def inbox(request, filters: Query[RequestFilterIn]):
    """Requests received by units in your subtree; by default those awaiting an answer."""
    return _list(request, "inbox", filters)


@router.get("/outbox", response=RequestPageOut, summary="What others owe your jurisdiction")
def outbox(request, filters: Query[RequestFilterIn]):
    """Requests sent by units in your subtree; by default those awaiting an answer."""
    return _list(request, "outbox", filters)


@router.get("/overdue", response=RequestPageOut, summary="Overdue requests in your area (R-EX-3)")
def overdue(request, filters: Query[RequestFilterIn]):
    """Late requests with either side in your subtree, including escalated ones."""
    return _list(request, "overdue", filters)


@router.get("/requests/{int:request_id}", response=RequestOut, summary="One request")
def get_request(request, request_id: int):
    """The request with its timeline; 404 outside your scope."""
    return _full(_get(request, request_id), request.auth)


@router.post(
    "/requests",
    response={201: RequestOut, 422: ErrorOut},
    summary="Send a co-investigation or other request (R-EX-4)",
)
def send(request, payload: SendIn):
    """Sent from your jurisdiction; the same idempotency_key returns the same request."""
    require_casework(request, NO_CASEWORK)
    user = request.auth
    if not user.jurisdiction_id:
        raise HttpError(403, "A national account has no unit to send from.")
    persons = list(Person.objects.visible_to(user).filter(pk__in=payload.person_ids))
    if len(persons) != len(set(payload.person_ids)):
        raise HttpError(404, "No such person in your jurisdiction.")
    item = services.send_request(
        payload.type,
        sender_code=user.jurisdiction_id,
        receiver_code=payload.receiver_code,
        acting_user=user,
        # Keys are per user, so one client's key can never collide with another's.
        idempotency_key=f"api-{user.pk}-{payload.idempotency_key}",
        persons=persons,
        payload={"question": payload.question},
        subject=payload.question[:200],
        origin=api_origin(request),
    )
    return Status(201, _full(services.access_request(user, item.pk), user))


@router.post(
    "/requests/{int:request_id}/answer",
    response={200: RequestOut, 422: ErrorOut},
    summary="Answer a request your jurisdiction received",
)
def answer(request, request_id: int, payload: RequestAnswerIn):
    item = _get(request, request_id)
    services.answer_request(
        item.pk,
        answer=payload.answer,
        canned=payload.canned or "",
        note=payload.note,
        acting_user=request.auth,
        origin=api_origin(request),
    )
    return Status(200, _full(services.access_request(request.auth, item.pk), request.auth))


@router.post(
    "/requests/{int:request_id}/escalate",
    response={200: RequestOut, 422: ErrorOut},
    summary="Escalate an overdue request to the common higher level (R-EX-3)",
)
def escalate(request, request_id: int, payload: EscalateIn):
    item = _get(request, request_id)
    services.escalate_request(
        item.pk, reason=payload.reason, acting_user=request.auth, origin=api_origin(request)
    )
    return Status(200, _full(services.access_request(request.auth, item.pk), request.auth))


@router.post(
    "/requests/{int:request_id}/close",
    response={200: RequestOut, 422: ErrorOut},
    summary="Close an answered request your jurisdiction sent",
)
def close(request, request_id: int):
    item = _get(request, request_id)
    services.close_request(item.pk, acting_user=request.auth, origin=api_origin(request))
    return Status(200, _full(services.access_request(request.auth, item.pk), request.auth))


# --- 上级协调 (R-EX-3): the common higher level's list and actions ------------------------------


@router.get(
    "/coordination",
    response=RequestPageOut,
    summary="Escalated requests your unit coordinates (R-EX-3)",
)
def coordination_list(request, page: int = 1):
    """Escalated to your unit (or assigned to it), longest overdue first."""
    require_casework(request, NO_CASEWORK)
    return page_of(coordination.list_coordination(request.auth), page, 50, _summary)


def _coordinate(request, request_id: int, service, payload: Schema) -> Status:
    """Run a coordination service on the request, its keyword arguments the payload's fields."""
    item = _get(request, request_id)
    act(request, service, item.pk, payload=payload)
    return Status(200, _full(services.access_request(request.auth, item.pk), request.auth))


@router.post(
    "/requests/{int:request_id}/decide",
    response={200: RequestOut, 422: ErrorOut},
    summary="Decide an escalated request as the higher level (R-EX-3)",
)
def decide(request, request_id: int, payload: DecideIn):
    return _coordinate(request, request_id, coordination.decide_request, payload)


@router.post(
    "/requests/{int:request_id}/reschedule",
    response={200: RequestOut, 422: ErrorOut},
    summary="Give the receiver a new due date in working days (R-EX-3, R-WD-1)",
)
def reschedule(request, request_id: int, payload: RescheduleIn):
    return _coordinate(request, request_id, coordination.reschedule_request, payload)


@router.post(
    "/requests/{int:request_id}/assign",
    response={200: RequestOut, 422: ErrorOut},
    summary="Hand the coordination to a side or a lower unit (R-EX-3)",
)
def assign(request, request_id: int, payload: AssignIn):
    return _coordinate(request, request_id, coordination.assign_request, payload)
