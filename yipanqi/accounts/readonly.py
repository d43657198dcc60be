"""The auditor reads and never changes anything (三员分立, issue 7.2 and 16.11): the one rule.

Both ways in call `refusal(request, user)`: the session middleware (web pages and the API with
a session) and the API guard (bearer tokens). Every request of the auditor that is not a
reading one (GET, HEAD, OPTIONS) is refused with 403 and audited, except these, which are what
a read-only auditor needs to get in, stay safe and get out (SECURITY.md §2):
"""

from django.http import HttpResponseForbidden, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from yipanqi.accounts.models import Role
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, record_event

READING_METHODS = {"GET", "HEAD", "OPTIONS"}

AUDITOR_FREE_VIEWS = {
    # Log in and out: identity, no record of the platform changes (log-ins are audited).
    "web:login": "log in",
    "web:logout": "log out",
    # The second factor is mandatory for the auditor (ADMINISTRATOR_ROLES).
    "accounts:otp_setup": "set up the second factor",
    "accounts:otp_verify": "enter the second-factor code",
    # Their own password only (the page has no other user): 等保 asks every account to change
    # its password regularly, and a password set by an administrator must be changed at the
    # first log-in; refusing it would lock the auditor out. Audited (password_change).
    "accounts:password": "change one's own password",
    # Issue 12.2: the auditor's review of an emergency access. It writes only the review mark
    # and its audit row and changes no record of persons, users or settings (SECURITY.md §5).
    "emergency:review": "mark an emergency access reviewed",
    # Deliberate exception: the language of the pages, kept in a cookie; writes no record.
    "set_language": "choose the language of the pages",
}


def _view_name(request) -> str:
    try:
        return resolve(request.path_info, urlconf=getattr(request, "urlconf", None)).view_name
    except Resolver404:
        return ""


def is_free(request) -> bool:
    return request.method == "POST" and _view_name(request) in AUDITOR_FREE_VIEWS


def refusal(request, user, *, channel: str | None = None):
    """None when `user` may make this request; else the 403 answer, the refusal audited."""
    if user is None or getattr(user, "role", None) != Role.AUDITOR:
        return None
    if request.method in READING_METHODS or is_free(request):
        return None
    api = request.path.startswith("/api/")
    record_event(
        actor=user,
        action=Action.REQUEST_REFUSED,
        origin=Origin.from_request(request, channel or ("api" if api else "web")),
        result=Result.DENIED,
        object_type="path",
        object_id=request.path[:64],
        detail={"method": request.method, "rule": "auditor reads only"},
    )
    message = _("The auditor's account reads and never changes anything.")
    if api:
        return JsonResponse({"detail": message}, status=403)
    return HttpResponseForbidden(message)
