"""The administration site, for the system and security administrators only (三员分立).

- Only those two roles enter, and only after the second factor (the session middleware asks
  for it; `has_permission` checks it again).
- What each may do there is `ADMIN_SITE_PERMISSIONS`: users and tokens for the system
  administrator; lock-outs and second-factor devices for the security administrator. No person
  data and no audit trail is registered here at all.
- Every change made through the site is written to the audit trail in its own transaction.
- Log-in goes through the platform's log-in page (lock-out, second factor). A signed-in user
  of another role (the auditor, a village worker…) is not sent there again, which looped
  between /admin/login/ and /login/ (issue 12.20): they get a page saying the site is not for
  them, with links to their own tools.
"""

from functools import update_wrapper
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from yipanqi.accounts.models import Role

ADMIN_SITE_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Issue 12.1: fields that hold a secret or what it is derived from. The changelist filters on
# any local field from the query string (?password__startswith=pbkdf2…), which would read a
# secret one character at a time from the counts; a query naming one of these is refused.
SECRET_FIELD_NAMES = {
    "password",
    "key",
    "bin_key",
    "key_hash",
    "secret_hash",
    "origin_hash",
    "session_key",
    "session_data",
    "session_hash",
    "get_data",
    "post_data",
    "token",
    "id_number_index",
}


def names_a_secret(query) -> bool:
    """True when a query-string parameter filters or points at a secret field."""
    for name, values in query.lists():
        parts = set(name.split("__"))
        if name in {"_to_field", "to_field"}:
            parts |= {part for value in values for part in value.split("__")}
        if parts & SECRET_FIELD_NAMES:
            return True
    return False


class AdminSite(admin.AdminSite):
    site_header = "一盘棋 · Yipanqi administration"
    site_title = "Yipanqi administration"

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_authenticated
            and user.role in ADMIN_SITE_ROLES
            and (user.is_verified() or not settings.ADMIN_OTP_REQUIRED)
        )

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(reverse("admin:index"))
            # Issue 12.20: logged in, but not a role of this site: say so, do not loop.
            return render(request, "accounts/admin_not_for_you.html", status=403)
        query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
        return redirect(f"{reverse('web:login')}?{query}")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def audited(request, *args, **kwargs):
            if names_a_secret(request.GET):
                return HttpResponseBadRequest(_("This filter is not allowed here."))
            if request.method in SAFE_METHODS or not self.has_permission(request):
                return inner(request, *args, **kwargs)
            from yipanqi.audit.models import Action, Result
            from yipanqi.audit.services import Origin, record_event

            with transaction.atomic():
                response = inner(request, *args, **kwargs)
                status = response.status_code
                result = Result.OK if status in (301, 302) else Result.ERROR
                if status in (401, 403, 404):
                    result = Result.DENIED
                record_event(
                    actor=request.user,
                    action=Action.ADMIN_CHANGE,
                    origin=Origin.from_request(request, channel="web"),
                    result=result,
                    object_type="admin",
                    object_id=request.path[:64],
                    detail={"path": request.path[:200], "status": status},
                )
            return response

        return update_wrapper(audited, inner)
