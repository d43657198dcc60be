"""/api/v1/persons/: search, read and register persons. Rules live in yipanqi.people.

ID numbers never travel in URLs: search takes them in a POST body.
"""

import datetime as dt

from ninja import Field, Router, Schema, Status

from yipanqi.api.v1.common import ErrorOut, api_origin, page_of, require_casework
from yipanqi.people import services
from yipanqi.people.models import MaritalStatus, RegistrationKind, Sex, StayReason

router = Router(tags=["persons"])

NO_CASEWORK = "Your role does not give access to person records."


class PersonSummaryOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number_masked: str
    home_code: str = Field(..., alias="home_id")
    residence_code: str | None = Field(None, alias="residence_id")
    marital_status: str


class PersonRegistrationOut(Schema):
    id: int
    kind: str
    status: str
    home_code: str = Field(..., alias="home_id")
    residence_code: str = Field(..., alias="residence_id")
    dwelling_code: str | None = Field(None, alias="dwelling_id")
    registered_by_unit: str = Field(..., alias="registered_by_unit_id")
    reason: str
    arrival_date: dt.date
    received_on: dt.date
    recorded_in_time: bool
    close_reason: str
    lost_contact: bool


class PersonOut(PersonSummaryOut):
    id_number: str
    phone: str
    home_path: str
    residence_path: str
    registrations: list[PersonRegistrationOut]
    linked: bool


class PersonSearchIn(Schema):
    id_number: str = Field("", max_length=40)
    name: str = Field("", max_length=50)
    within: str = Field("", pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})?$")
    kind: RegistrationKind | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[PersonSummaryOut]


class RegisterIn(Schema):
    id_number: str = Field(..., max_length=40)
    name: str = Field(..., max_length=50)
    home_code: str = Field(..., max_length=12)
    residence_code: str = Field(..., max_length=12)
    arrival_date: dt.date
    reason: StayReason
    marital_status: MaritalStatus = MaritalStatus.UNMARRIED
    phone: str = Field("", max_length=30)
    received_on: dt.date | None = None
    dwelling_code: str = Field("", max_length=12)
    sex: Sex | None = Field(None, description="Optional; cross-checked against the ID number")
    birth_date: dt.date | None = Field(
        None, description="Optional; cross-checked against the ID number"
    )
    spouse_id: int | None = Field(
        None,
        ge=1,
        description=(
            "R-JUR-3: men are registered as spouses. Required for a man (unless already "
            "linked): the person id of his wife, a registered woman in your scope; the two "
            "are linked."
        ),
    )


class RegisteredOut(Schema):
    registration_id: int
    person_id: int
    kind: str
    recorded_in_time: bool
    linked: bool


@router.post("/search", response=SearchOut, summary="Search persons within your scope")
def search(request, payload: PersonSearchIn):
    """Persons whose home or residence lies in your jurisdiction, matching every criterion."""
    require_casework(request, NO_CASEWORK)
    qs = services.search_persons(
        request.auth,
        id_number=payload.id_number,
        name=payload.name,
        within=payload.within,
        kind=payload.kind or "",
        origin=api_origin(request),
    )
    return page_of(qs, payload.page, payload.page_size)


@router.get("/{int:person_id}", response=PersonOut, summary="One person, whole (audited)")
def get_person(request, person_id: int):
    """The whole record; reading it writes an audit row. 404 outside your scope."""
    require_casework(request, NO_CASEWORK)
    revealed = services.reveal_person(request.auth, person_id, origin=api_origin(request))
    person = revealed.person
    registrations = list(person.registrations.order_by("-recorded_at"))
    active = {r.kind for r in registrations if r.status == "active"}
    return {
        **{f: getattr(person, f) for f in ("id", "name", "sex", "birth_date", "marital_status")},
        "id_number_masked": person.id_number_masked,
        "home_id": person.home_id,
        "residence_id": person.residence_id,
        "id_number": revealed.id_number,
        "phone": revealed.phone,
        "home_path": person.home.path_name,
        "residence_path": person.residence.path_name if person.residence else "",
        "registrations": registrations,
        "linked": active == {"inflow", "outflow"},
    }


def _register(request, payload: RegisterIn, kind: str):
    fields = payload.dict()
    fields["sex"] = fields["sex"] or ""
    data = services.RegistrationInput(**fields)
    registration = services.register(
        data, kind=kind, acting_user=request.auth, origin=api_origin(request)
    )
    linked = registration.person.registrations.active().values("kind").distinct().count() == 2
    return Status(
        201,
        {
            "registration_id": registration.pk,
            "person_id": registration.person_id,
            "kind": registration.kind,
            "recorded_in_time": registration.recorded_in_time,
            "linked": linked,
        },
    )


@router.post(
    "/inflow",
    response={201: RegisteredOut, 422: ErrorOut},
    summary="Register an inflow person (R-REGN-1)",
)
def register_inflow(request, payload: RegisterIn):
    """Registered by the residence village or township; errors say why in plain words."""
    return _register(request, payload, RegistrationKind.INFLOW)


@router.post(
    "/outflow",
    response={201: RegisteredOut, 422: ErrorOut},
    summary="Register an outflow person (R-REGN-1)",
)
def register_outflow(request, payload: RegisterIn):
    """Registered by the home village or township; linked to an inflow record (R-REGN-2)."""
    return _register(request, payload, RegistrationKind.OUTFLOW)
