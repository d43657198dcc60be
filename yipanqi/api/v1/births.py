"""/api/v1/births/: birth registrations with their steps and who owes the next one, each
step's action, registrations at the home side, and birth reports (R-BIRTH-1..4).

Rules live in yipanqi.births. A registration is never approved or refused: it is returned only
for missing documents (DOMAIN.md section 2). Outside your scope is 404; refused input is 422.
"""

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from yipanqi.api.v1.common import ErrorOut, act, api_origin, page_of, require_casework, timeline
from yipanqi.births import selectors, services
from yipanqi.births.models import (
    BirthRegistration,
    BirthReport,
    BirthStatus,
    Document,
    ReportSource,
    Route,
)
from yipanqi.core.errors import NotFound
from yipanqi.exchange import services as exchange
from yipanqi.people.models import Sex

router = Router(tags=["births"])

NO_CASEWORK = "Your role does not see persons."


class StepOut(Schema):
    number: int
    what: str
    owner_code: str | None
    owner_name: str | None
    due_on: dt.date | None
    done_at: dt.datetime | None
    state: str = Field(..., description="done, done_late, open, overdue or waiting")
    request_id: int | None = Field(None, description="the exchange request of this step")
    request_ids: list[int]
    note: str


class BirthEventOut(Schema):
    at: dt.datetime
    type: str
    actor: str | None
    unit_code: str | None
    data: dict


class RegistrationSummaryOut(Schema):
    id: int
    number: str | None
    route: Route
    child_order: int
    status: BirthStatus
    woman_id: int
    husband_name: str
    woman_home_code: str
    husband_home_code: str
    unit_code: str
    township_code: str
    next_step: StepOut | None = Field(None, description="who owes the next step, by when")


class BirthRegistrationOut(RegistrationSummaryOut):
    documents: list[Document]
    missing: list[Document]
    return_reason: str
    village_opinion: str
    received_on: dt.date
    notify_due_on: dt.date | None
    steps: list[StepOut]
    events: list[BirthEventOut]


class RegistrationPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[RegistrationSummaryOut]


class ApplyIn(Schema):
    woman_id: int
    husband_name: str = Field("", max_length=50)
    husband_home_code: str = Field(
        "",
        pattern=r"^(\d{9}(\d{3})?)?$",
        description="His home township or village; not needed when his record is known",
    )
    husband_id: int | None = Field(
        None,
        description=(
            "His person record (R-JUR-3: registered as her husband); defaults to the husband "
            "linked to her. Gives his name and home, and links the two if not yet."
        ),
    )
    documents: list[Document] = Field(default_factory=list, max_length=3)
    idempotency_key: str = Field(..., min_length=1, max_length=80)


class HomeIn(ApplyIn):
    child_order: int = Field(2, ge=1, le=20)


class ConfirmIn(Schema):
    answer: str = Field(..., min_length=1, max_length=4000)


class ForwardIn(Schema):
    opinion: str = Field(..., min_length=1, max_length=1000)
    documents: list[Document] | None = Field(
        None, description="when resubmitting: the documents now in the file"
    )


class ReturnIn(Schema):
    missing: list[Document] = Field(..., min_length=1, max_length=3)
    note: str = Field("", max_length=300)


class BirthReportIn(Schema):
    mother_id: int
    birth_date: dt.date
    child_sex: Sex
    child_name: str = Field("", max_length=50)
    birth_order: int = Field(1, ge=1, le=9, description="which child of the delivery (twins: 2)")
    source: ReportSource = ReportSource.RESIDENCE
    registration_id: int | None = None
    idempotency_key: str = Field(..., min_length=1, max_length=80)


class BirthReportOut(Schema):
    id: int
    mother_id: int
    birth_date: dt.date
    child_sex: Sex
    source: ReportSource
    unit_code: str
    registration_id: int | None
    notice_id: int | None = Field(None, description="the birth_report request sent home")


def _step(step) -> dict | None:
    if step is None:
        return None
    return {
        "number": step.number,
        "what": step.what,
        "owner_code": step.owner.code if step.owner else None,
        "owner_name": str(step.owner) if step.owner else None,
        "due_on": step.due_on,
        "done_at": step.done_at,
        "state": step.state,
        "request_id": step.request.pk if step.request else None,
        "request_ids": [r.pk for r in step.requests],
        "note": step.note,
    }


def _summary(r: BirthRegistration, today: dt.date) -> dict:
    return {
        **{
            f: getattr(r, f)
            for f in ("id", "number", "route", "child_order", "status", "woman_id",
                      "husband_name")
        },
        "woman_home_code": r.woman_home_id,
        "husband_home_code": r.husband_home_id,
        "unit_code": r.unit_id,
        "township_code": r.township_id,
        "next_step": _step(selectors.next_step(r, today)),
    }  # fmt: skip


def _full(r: BirthRegistration) -> dict:
    today = timezone.localdate()
    return {
        **_summary(r, today),
        "documents": r.documents,
        "missing": r.missing,
        "return_reason": r.return_reason,
        "village_opinion": r.village_opinion,
        "received_on": r.received_on,
        "notify_due_on": r.notify_due_on,
        "steps": [_step(s) for s in selectors.steps(r, today)],
        "events": timeline(r.events),
    }


def _get(request, registration_id: int) -> BirthRegistration:
    require_casework(request, NO_CASEWORK)
    return services.access_registration(request.auth, registration_id)


def _fresh(request, registration_id: int) -> dict:
    return _full(services.access_registration(request.auth, registration_id))


@router.get("/registrations", response=RegistrationPageOut, summary="Birth registrations")
def list_registrations(request, page: int = 1, page_size: int = 50):
    """Registrations in your scope, newest first, each with who owes the next step."""
    require_casework(request, NO_CASEWORK)
    today = timezone.localdate()
    return page_of(
        selectors.list_registrations(request.auth),
        page,
        min(max(page_size, 1), 200),
        lambda r: _summary(r, today),
    )


def _input(payload, child_order: int = 1) -> services.BirthInput:
    return services.BirthInput(
        woman_id=payload.woman_id,
        husband_name=payload.husband_name,
        husband_home_code=payload.husband_home_code,
        husband_id=payload.husband_id,
        documents=[str(d) for d in payload.documents],
        idempotency_key=payload.idempotency_key,
        child_order=child_order,
    )


def _create(request, service, data):
    require_casework(request, NO_CASEWORK)
    user = request.auth
    data.idempotency_key = f"api-{user.pk}-{data.idempotency_key}"
    registration = service(data, acting_user=user, origin=api_origin(request))
    return Status(201, _fresh(request, registration.pk))


@router.post(
    "/registrations",
    response={201: BirthRegistrationOut, 422: ErrorOut},
    summary="First child: the couple applies at her residence (R-BIRTH-1)",
)
def apply(request, payload: ApplyIn):
    """Step 1 (ask both home townships) is then due within 7 working days. The same
    idempotency_key returns the same application."""
    return _create(request, services.apply_first_child, _input(payload))


@router.post(
    "/registrations/home",
    response={201: BirthRegistrationOut, 422: ErrorOut},
    summary="Registration at the home side, issued at once (R-BIRTH-3)",
)
def register_at_home(request, payload: HomeIn):
    """Her home township (either home for a couple from two provinces); the residence is
    notified within 7 working days (15 for a first child)."""
    return _create(request, services.register_at_home, _input(payload, payload.child_order))


@router.get("/registrations/{int:registration_id}", response=BirthRegistrationOut, summary="One")
def get_registration(request, registration_id: int):
    """The registration with its steps, who owes each, and its timeline."""
    return _full(_get(request, registration_id))


def _acting_on(path: str, summary: str):
    """A step on one registration: it answers the registration as it now is, or a 422."""
    return router.post(
        f"/registrations/{{int:registration_id}}/{path}",
        response={200: BirthRegistrationOut, 422: ErrorOut},
        summary=summary,
    )


def _act(request, registration_id: int, action, **kwargs):
    registration = _get(request, registration_id)
    act(request, action, registration.pk, **kwargs)
    return Status(200, _fresh(request, registration.pk))


@_acting_on("ask", "Step 1: ask both home townships to confirm")
def ask(request, registration_id: int):
    return _act(request, registration_id, services.ask_home_townships)


@_acting_on(
    "confirmations/{int:request_id}", "Step 2: a home township answers its confirmation request"
)
def confirm(request, registration_id: int, request_id: int, payload: ConfirmIn):
    registration = _get(request, registration_id)
    if request_id not in {r.pk for r in services.confirmation_requests(registration)}:
        raise HttpError(404, "No such confirmation request for this registration.")
    try:
        exchange.answer_request(
            request_id, answer=payload.answer, acting_user=request.auth, origin=api_origin(request)
        )
    except NotFound:
        # The exchange's own words would name a request; this endpoint speaks of confirmations.
        raise HttpError(404, "No such confirmation request for this registration.") from None
    return Status(200, _fresh(request, registration.pk))


@_acting_on("forward", "Step 3: forward (or resubmit) the file with the village's opinion")
def forward(request, registration_id: int, payload: ForwardIn):
    documents = None if payload.documents is None else [str(d) for d in payload.documents]
    return _act(
        request,
        registration_id,
        services.forward_to_township,
        opinion=payload.opinion,
        documents=documents,
    )


@_acting_on("issue", "Step 4-5: issue at once and notify both home townships")
def issue(request, registration_id: int):
    return _act(request, registration_id, services.issue_registration)


@_acting_on("return", "Step 4: return the file for missing documents, stating which")
def return_file(request, registration_id: int, payload: ReturnIn):
    return _act(
        request,
        registration_id,
        services.return_registration,
        missing=[str(d) for d in payload.missing],
        note=payload.note,
    )


def _report(b: BirthReport) -> dict:
    return {
        **{f: getattr(b, f) for f in ("id", "mother_id", "birth_date", "child_sex", "source")},
        "unit_code": b.unit_id,
        "registration_id": b.registration_id,
        "notice_id": b.notice_id,
    }


@router.post(
    "/reports",
    response={201: BirthReportOut, 422: ErrorOut},
    summary="Report a birth with the child's sex; the home side is notified (R-BIRTH-4)",
)
def report(request, payload: BirthReportIn):
    require_casework(request, NO_CASEWORK)
    user = request.auth
    created = services.report_birth(
        services.BirthReportInput(
            mother_id=payload.mother_id,
            birth_date=payload.birth_date,
            child_sex=str(payload.child_sex),
            child_name=payload.child_name,
            birth_order=payload.birth_order,
            source=str(payload.source),
            registration_id=payload.registration_id,
            idempotency_key=f"api-{user.pk}-{payload.idempotency_key}",
        ),
        acting_user=user,
        origin=api_origin(request),
    )
    return Status(201, _report(created))


@router.get(
    "/registrations/{int:registration_id}/pdf",
    summary="The family's printable birth registration (PDF; audited: it carries her ID)",
    response={200: None, 422: ErrorOut},
    openapi_extra={
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}}}
    },
)
def registration_pdf(request, registration_id: int):
    """Once issued: the registration with its steps, the home townships' confirmations among
    them, and her certificate's check code when she holds a valid certificate."""
    registration = _get(request, registration_id)
    registration, content = services.registration_pdf(
        request.auth,
        registration.pk,
        certificate_check_url=lambda c: request.build_absolute_uri(
            reverse("certificates:check", args=[c.token])
        ),
        origin=api_origin(request),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="birth-{registration.number}.pdf"'
    return response


@router.get("/reports", response=list[BirthReportOut], summary="Birth reports in your scope")
def reports(request, page: int = 1):
    require_casework(request, NO_CASEWORK)
    rows = BirthReport.objects.visible_to(request.auth).order_by("-birth_date", "-pk")
    current = Paginator(rows, 100).get_page(page)
    return [_report(b) for b in current.object_list]
