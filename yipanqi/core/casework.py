"""What the casework pages share: the audit origin and the gate for roles without records (a
service's refusal on the form: core.errors.refused_on)."""

from django.http import Http404

from yipanqi.core.origin import Origin


def web_origin(request) -> Origin:
    """The audit origin of a web page request."""
    return Origin.from_request(request, channel="web")


def require_casework(request) -> None:
    """Raise 404 for a user whose role works with no records (R-ACC-1).

    The three separated administrative roles (三员分立: system administrator, security
    administrator, auditor) have no scope, nor has an inactive user or one without a
    jurisdiction; for them the casework pages do not exist rather than stand empty.
    """
    if request.user.scope_code is None:
        raise Http404
