"""What the API endpoints share: the audit origin, the gate for roles without records, and the
one shape of every error answer."""

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
