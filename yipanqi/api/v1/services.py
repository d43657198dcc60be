"""/api/v1/services/: services given (R-SVC-1, R-SVC-3), service reports (R-SVC-2), supply
points (R-SVC-4) and benefits (R-SVC-5).

Rules live in yipanqi.services. A person or record outside your scope is 404; input the rules
refuse is 422 with a field error map, like schema errors.
"""

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yipanqi.api.v1.common import ErrorOut, act, api_origin, require_casework
from yipanqi.audit.models import Action
from yipanqi.core.serialize import pick
from yipanqi.people import services as people
from yipanqi.services import pdf, services
from yipanqi.services.models import (
    Benefit,
    BenefitKind,
    ServiceCategory,
    ServiceRecord,
    ServiceReport,
    ServiceType,
    SupplyPoint,
    SupplyPointKind,
)

router = Router(tags=["services"])

NO_CASEWORK = "Your role does not work with person records."


class ServiceTypeOut(Schema):
    code: str
    name: str
    name_en: str
    category: ServiceCategory
    basic: bool = Field(description="On the national free list: a charge is a violation.")


class ServiceIn(Schema):
    person_id: int
    service_type: str = Field(..., max_length=40, description="a code from /services/types")
    given_on: dt.date
    provider: str = Field(..., min_length=1, max_length=100)
    amount_charged: Decimal = Field(Decimal("0"), ge=0, max_digits=8, decimal_places=2)
    note: str = Field("", max_length=300)


class ServiceRecordOut(Schema):
    id: int
    person_id: int
    service_type: str
    basic: bool
    given_on: dt.date
    provider: str
    unit_code: str
    amount_charged: Decimal
    charged_violation: bool = Field(description="R-SVC-1: a basic service recorded with a charge")
    checkup_limit_exceeded: int | None = Field(
        description="R-SVC-3: the region's yearly maximum this check-up went beyond"
    )
    complaint_reference: str | None
    recorded_at: dt.datetime


class RecordedOut(ServiceRecordOut):
    warnings: list[str]


class CheckupsOut(Schema):
    year: int
    count: int
    minimum: int | None
    maximum: int | None
    rule_reason: str
    over_maximum: bool
    below_minimum: bool


class PersonServicesOut(Schema):
    records: list[ServiceRecordOut]
    checkups: CheckupsOut | None


class ServiceReportIn(Schema):
    person_id: int
    period_from: dt.date
    period_to: dt.date
    contraception: str = Field("", max_length=100)
    remarks: str = Field("", max_length=500)
    idempotency_key: str = Field(
        ..., min_length=1, max_length=60, description="the same key sends once (R-EX-5)"
    )


class ServiceReportOut(Schema):
    id: int
    number: str
    person_id: int
    sender_code: str
    receiver_code: str
    period_from: dt.date
    period_to: dt.date
    contraception: str
    remarks: str
    record_ids: list[int]
    request_id: int
    request_status: str
    received_at: dt.datetime | None = Field(description="delivered to the home side")
    answered_at: dt.datetime | None
    pdf_url: str


class SupplyPointIn(Schema):
    division_code: str = Field(
        "", max_length=12, description="your township or one of its villages"
    )
    kind: SupplyPointKind
    name: str = Field(..., max_length=100)
    address: str = Field(..., max_length=200)
    hours: str = Field(..., max_length=100)
    phone: str = Field("", max_length=30)
    active: bool = True


class SupplyPointOut(Schema):
    id: int
    division_code: str
    division_name: str
    kind: SupplyPointKind
    name: str
    address: str
    hours: str
    phone: str
    active: bool


class SupplyQuery(Schema):
    within: str = Field(..., pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$")


class BenefitIn(Schema):
    person_id: int
    kind: BenefitKind
    issued_on: dt.date
    number: str = Field("", max_length=40)
    year: int | None = Field(None, ge=1980, le=2100)
    amount: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    note: str = Field("", max_length=300)


class BenefitOut(Schema):
    id: int
    person_id: int
    kind: BenefitKind
    issuing_unit_code: str
    number: str
    issued_on: dt.date
    year: int | None
    amount: Decimal | None
    note: str


def _person(request, person_id: int) -> "people.Person":
    require_casework(request, NO_CASEWORK)
    # A refused attempt on an existing person is audited there (R-ACC-2).
    return people.access_person(request.auth, person_id, origin=api_origin(request))


def _for_person(request, payload, service, input_class, serialize) -> Status:
    """Create a record for a person the user may see: 201 with it, as serialize() shows it."""
    person = _person(request, payload.person_id)
    created = act(request, service, input_class(**{**payload.dict(), "person_id": person.pk}))
    return Status(201, serialize(created))


def _record(r: ServiceRecord) -> dict:
    return {
        **pick(
            r,
            "person_id",
            "given_on",
            "provider",
            "amount_charged",
            "charged_violation",
            "checkup_limit_exceeded",
            id="pk",
            unit_code="unit_id",
        ),
        "service_type": r.service_type.code,
        "basic": r.service_type.basic,
        "complaint_reference": r.complaint.reference if r.complaint_id else None,
        "recorded_at": r.recorded_at,
    }


def _report(r: ServiceReport) -> dict:
    return {
        **pick(
            r,
            "number",
            "person_id",
            "period_from",
            "period_to",
            "contraception",
            "remarks",
            id="pk",
            sender_code="sender_id",
            receiver_code="receiver_id",
        ),
        "record_ids": list(r.records.values_list("pk", flat=True)),
        "request_id": r.request_id,
        "request_status": r.request.status,
        "received_at": r.request.delivered_at,
        "answered_at": r.request.answered_at,
        "pdf_url": f"/api/v1/services/reports/{r.pk}/pdf",
    }


def _point(p: SupplyPoint) -> dict:
    return {
        **pick(p, "kind", "name", "address", "hours", "phone", "active", id="pk"),
        "division_code": p.division_id,
        "division_name": p.division.path_name,
    }


def _benefit(b: Benefit) -> dict:
    return pick(
        b,
        "person_id",
        "kind",
        "number",
        "issued_on",
        "year",
        "amount",
        "note",
        id="pk",
        issuing_unit_code="issuing_unit_id",
    )


@router.get("/types", response=list[ServiceTypeOut], summary="The service list (R-SVC-1)")
def service_types(request):
    """Active service types; `basic` ones are on the national free list."""
    return ServiceType.objects.filter(active=True)


@router.post(
    "/records",
    response={201: RecordedOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a service given (R-SVC-1, R-SVC-3)",
)
def record_service(request, payload: ServiceIn):
    """The residence records it; a charge on a basic service is flagged and opens a complaint;
    a check-up beyond the region's yearly maximum comes back with a warning."""
    return _for_person(
        request,
        payload,
        services.record_service,
        services.ServiceInput,
        lambda recorded: {**_record(recorded.record), "warnings": recorded.warnings},
    )


@router.get(
    "/persons/{int:person_id}",
    response=PersonServicesOut,
    summary="A person's services and this year's check-ups",
)
def person_services(request, person_id: int, year: int | None = None):
    person = _person(request, person_id)
    year = year or timezone.localdate().year
    records = (
        ServiceRecord.objects.visible_to(request.auth)
        .filter(person=person)
        .select_related("service_type", "complaint")
    )
    checkups = None
    if person.residence_id:
        f = services.checkup_frequency(person, year, person.residence_id)
        checkups = {
            "year": year,
            "count": f.count,
            "minimum": f.minimum,
            "maximum": f.maximum,
            "rule_reason": f.rule_reason,
            "over_maximum": f.over_maximum,
            "below_minimum": f.below_minimum,
        }
    return {"records": [_record(r) for r in records], "checkups": checkups}


@router.get(
    "/violations",
    response=list[ServiceRecordOut],
    summary="Charges on basic services in your area (R-SVC-1)",
)
def violations(request):
    require_casework(request, NO_CASEWORK)
    return [
        _record(r) for r in services.list_violations(request.auth, origin=api_origin(request))[:500]
    ]


@router.post(
    "/reports",
    response={201: ServiceReportOut, 404: ErrorOut, 422: ErrorOut},
    summary="Send the service report home (R-SVC-2)",
)
def send_report(request, payload: ServiceReportIn):
    """Sent through the exchange to the home township; the same idempotency_key sends once."""
    return _for_person(
        request, payload, services.send_service_report, services.ReportInput, _report
    )


def _get_report(request, report_id: int, action=Action.PERSON_VIEW) -> ServiceReport:
    require_casework(request, NO_CASEWORK)
    return services.access_service_report(
        request.auth, report_id, origin=api_origin(request), action=action
    )


@router.get("/reports/{int:report_id}", response=ServiceReportOut, summary="One service report")
def get_report(request, report_id: int):
    """Seen by both sides; the home side has it once it is delivered."""
    return _report(_get_report(request, report_id))


@router.get(
    "/reports/{int:report_id}/pdf",
    summary="The printable 报告单 (PDF)",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def report_pdf(request, report_id: int):
    report = _get_report(request, report_id, action=Action.EXPORT)
    return HttpResponse(pdf.service_report_pdf(report), content_type="application/pdf")


@router.get(
    "/supply-points",
    response=list[SupplyPointOut],
    auth=None,
    summary="Supply points and service institutions in a jurisdiction (public, R-SVC-4)",
)
def supply_points(request, filters: Query[SupplyQuery]):
    return [_point(p) for p in services.list_supply_points(filters.within)[:500]]


@router.post(
    "/supply-points",
    response={201: SupplyPointOut, 403: ErrorOut, 422: ErrorOut},
    summary="Add a supply point (township operators)",
)
def add_supply_point(request, payload: SupplyPointIn):
    if not services.may_edit_supply_points(request.auth):
        raise HttpError(403, "Supply points are kept by the township.")
    point = act(request, services.save_supply_point, services.SupplyPointInput(**payload.dict()))
    return Status(201, _point(point))


@router.put(
    "/supply-points/{int:point_id}",
    response={200: SupplyPointOut, 422: ErrorOut},
    summary="Change a supply point of your township",
)
def change_supply_point(request, point_id: int, payload: SupplyPointIn):
    if not services.may_edit_supply_points(request.auth):
        raise HttpError(404, "No such supply point in your township.")
    point = act(
        request,
        services.save_supply_point,
        services.SupplyPointInput(**payload.dict()),
        point_id=point_id,
    )
    return Status(200, _point(point))


@router.post(
    "/benefits",
    response={201: BenefitOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a one-child parents' certificate or reward (home side, R-SVC-5)",
)
def record_benefit(request, payload: BenefitIn):
    return _for_person(request, payload, services.record_benefit, services.BenefitInput, _benefit)


@router.get(
    "/persons/{int:person_id}/benefits",
    response=list[BenefitOut],
    summary="The benefits of a person and their spouse (R-SVC-5)",
)
def person_benefits(request, person_id: int):
    person = _person(request, person_id)
    return [_benefit(b) for b in services.couple_benefits(request.auth, person)]
