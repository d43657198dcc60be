"""What the casework pages share: the audit origin, the gate for roles without records, and a
service's refusal shown on the form."""

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


def show_errors(form, exc) -> None:
    """Put each message of a service's refusal (`exc.errors`: field -> messages) on that form
    field, or on the whole form when it has no such field ("__all__" included)."""
    for field, problems in exc.errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
