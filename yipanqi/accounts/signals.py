"""Log-in, log-out and failed log-in records, from Django's authentication signals.

These signals are the one place every log-in path passes (our log-in page, the administration
site, any future path), which is why the audit listens to them rather than each view.
"""

from yipanqi.accounts import services
from yipanqi.audit.services import Origin


def _origin(request) -> Origin:
    if request is None:
        return Origin(channel="cli")
    channel = "api" if request.path.startswith("/api/") else "web"
    return Origin.from_request(request, channel=channel)


def on_logged_in(sender, request, user, **kwargs):
    session_key = request.session.session_key if request is not None else None
    if request is not None and session_key is None:
        request.session.save()
        session_key = request.session.session_key
    services.record_login(user, origin=_origin(request), session_key=session_key)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    locked = bool(getattr(request, "axes_locked_out", False))
    services.record_login_failed(username, origin=_origin(request), locked=locked)


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    session_key = request.session.session_key if request is not None else None
    reason = getattr(request, "session_end_reason", "") if request is not None else ""
    services.record_logout(user, origin=_origin(request), session_key=session_key, reason=reason)
