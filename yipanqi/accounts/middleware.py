"""Session rules for logged-in users (issue 7.1, 7.2).

After Django's authentication and django-otp's middleware, for a logged-in user:
- the session ends after YIPANQI_SESSION_IDLE_SECONDS without a request, and in any case
  YIPANQI_SESSION_SECONDS after log-in;
- an administrator (and anyone who set up a second factor) must pass TOTP before anything else;
- an expired password must be changed before anything else;
- the auditor reads and never changes anything (三员分立, `readonly.refusal`).
A disabled user's session is already anonymous: Django's backend refuses inactive users.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from yipanqi.accounts import readonly

SEEN_KEY = "yq_seen"
LOGIN_AT_KEY = "yq_login_at"
# Refresh the idle clock at most this often, so most requests do not rewrite the session.
SEEN_RESOLUTION = 30


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


# Pages a user in the middle of log-in may reach: log-out, second factor, password, language.
FREE_VIEWS = {
    "web:logout",
    "accounts:otp_setup",
    "accounts:otp_verify",
    "accounts:password",
    "set_language",
}


def _view_name(request) -> str:
    try:
        return resolve(request.path_info, urlconf=getattr(request, "urlconf", None)).view_name
    except Resolver404:
        return ""


def _url(name: str, fallback: str = "/") -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        ended = self._expired(request, now)
        if ended:
            request.session_end_reason = ended
            logout(request)
            if _is_api(request):
                return JsonResponse(
                    {"detail": _("Your session has ended. Please log in again.")}, status=401
                )
            return redirect(f"{_url('web:login', '/login/')}?next={request.path}")
        if now - request.session.get(SEEN_KEY, 0) >= SEEN_RESOLUTION:
            request.session[SEEN_KEY] = now
        blocked = self._gate(request, user)
        if blocked is not None:
            return blocked
        return self.get_response(request)

    def _expired(self, request, now: int) -> str:
        session = request.session
        login_at = session.setdefault(LOGIN_AT_KEY, now)
        seen = session.get(SEEN_KEY, now)
        if now - seen > settings.SESSION_IDLE_SECONDS:
            return "idle timeout"
        if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
            return "absolute timeout"
        return ""

    def _gate(self, request, user):
        path = request.path
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        # 三员分立: the auditor's non-reading requests, but the few listed there (readonly.py).
        refused = readonly.refusal(request, user)
        if refused is not None:
            return refused
        if _view_name(request) in FREE_VIEWS:
            return None
        if not user.is_verified() and (user.needs_second_factor or user_has_device(user)):
            if _is_api(request):
                return JsonResponse(
                    {"detail": _("Enter your second-factor code first.")}, status=403
                )
            name = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
            return redirect(f"{_url(name)}?next={path}")
        if user.password_expired():
            if _is_api(request):
                return JsonResponse(
                    {"detail": _("Your password has expired. Change it first.")}, status=403
                )
            return redirect(_url("accounts:password"))
        return None
