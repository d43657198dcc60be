"""What the API endpoints share: the audit origin and the gate for roles without records."""

from ninja.errors import HttpError

from yipanqi.audit.services import Origin


def api_origin(request, channel: str = "api") -> Origin:
    """The audit origin of an API request ("public" for the endpoints without a token)."""
    return Origin.from_request(request, channel=channel)


def require_casework(request, message: str) -> None:
    """Refuse with 403 and the endpoint's message a token whose role works with no records
    (R-ACC-1: the three separated administrative roles, among others, have no scope)."""
    if request.auth.scope_code is None:
        raise HttpError(403, message)
