"""/api/v1/directory/: units' contact details (R-DIR-1), searchable within the region, each
unit editing its own; the offices for a place, public (R-DIR-2)."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yipanqi.api.v1.common import ErrorOut, act
from yipanqi.directory import services
from yipanqi.directory.models import UnitContact

router = Router(tags=["directory"])

CODE = r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$"


class ContactIn(Schema):
    unit_name: str = Field(..., max_length=100)
    contact_person: str = Field(..., max_length=50)
    title: str = Field("", max_length=50)
    phone: str = Field(..., max_length=30)
    fax: str = Field("", max_length=30)
    email: str = Field("", max_length=100)
    address: str = Field(..., max_length=200)
    postcode: str = Field("", max_length=6)


class ContactOut(ContactIn):
    unit_code: str
    unit_path: str
    updated_at: dt.datetime


class PublicContactOut(Schema):
    unit_code: str
    unit_name: str
    phone: str
    address: str
    postcode: str


class ContactSearchIn(Schema):
    q: str = Field("", max_length=50)
    within: str | None = Field(None, pattern=CODE)
    limit: int = Field(50, ge=1, le=500)


class PlaceIn(Schema):
    code: str = Field(..., pattern=CODE)


def _contact(c: UnitContact) -> dict:
    return {
        **{f: getattr(c, f) for f in ContactIn.model_fields},
        "unit_code": c.unit_id,
        "unit_path": c.unit.path_name,
        "updated_at": c.updated_at,
    }


@router.get("", response=list[ContactOut], summary="Search the units of your region (R-DIR-1)")
def search(request, filters: Query[ContactSearchIn]):
    qs = services.search_directory(request.auth, q=filters.q, within=filters.within or "")
    return [_contact(c) for c in qs[: filters.limit]]


@router.get("/mine", response={200: ContactOut, 404: ErrorOut}, summary="Your unit's entry")
def mine(request):
    own = services.own_contact(request.auth)
    if own is None:
        return Status(404, {"detail": "Your unit has no entry yet.", "errors": {}})
    return Status(200, _contact(own))


@router.put(
    "/mine",
    response={200: ContactOut, 403: ErrorOut, 422: ErrorOut},
    summary="Create or change your unit's entry (township and up)",
)
def save_mine(request, payload: ContactIn):
    if not services.may_edit_contact(request.auth):
        raise HttpError(403, "Units from township up keep their directory entry.")
    contact = act(request, services.save_contact, services.ContactInput(**payload.dict()))
    return Status(200, _contact(contact))


@router.get(
    "/public",
    auth=None,
    response=list[PublicContactOut],
    summary="The offices that answer for a place (public, R-DIR-2)",
)
def public(request, place: Query[PlaceIn]):
    return [
        {
            "unit_code": c.unit_id,
            "unit_name": c.unit_name,
            "phone": c.phone,
            "address": c.address,
            "postcode": c.postcode,
        }
        for c in services.public_contacts(place.code)
    ]
