"""What the API endpoints share: the audit origin, the gate for roles without records, and the
one shape of every error answer."""

from django.core.paginator import Paginator
from ninja import Field, Schema
from ninja.errors import HttpError

from yipanqi.audit.services import Origin
from yipanqi.divisions.scope import Scope


class ErrorOut(Schema):
    """Every error answer of the API (400 to 429), refusals and invalid input alike."""

    detail: str = Field(description="What went wrong, in plain words, in the request's language.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "What is wrong with each field, by field name (`__all__`: the request as a whole); "
            "empty or absent when no field is to blame."
        ),
    )


def api_origin(request, channel: str = "api") -> Origin:
    """The audit origin of an API request ("public" for the endpoints without a token)."""
    return Origin.from_request(request, channel=channel)


def require_casework(request, message: str) -> None:
    """Refuse with 403 and the endpoint's message a token whose role works with no records
    (R-ACC-1: the three separated administrative roles, among others, have no scope)."""
    if Scope.of(request.auth).none:
        raise HttpError(403, message)


def page_of(rows, page: int, page_size: int, serialize=None) -> dict:
    """One page of rows as every paged answer gives it: count, page, pages and the results."""
    current = Paginator(rows, page_size).get_page(page)
    results = current.object_list
    return {
        "count": current.paginator.count,
        "page": current.number,
        "pages": current.paginator.num_pages,
        "results": list(results) if serialize is None else [serialize(row) for row in results],
    }


def act(request, service, *args, payload: Schema | None = None, **kwargs):
    """Call a service as the token's user, with the payload's fields as keyword arguments."""
    fields = payload.model_dump() if payload is not None else {}
    return service(*args, **fields, **kwargs, acting_user=request.auth, origin=api_origin(request))


def timeline(events, unit_key: str = "unit_code") -> list[dict]:
    """A record's timeline as the API shows it: each event's time, type, actor, unit and data."""
    return [
        {
            "at": e.at,
            "type": e.type,
            "actor": str(e.actor) if e.actor else None,
            unit_key: e.unit_id,
            "data": e.data,
        }
        for e in events.select_related("actor")
    ]
