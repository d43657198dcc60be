"""A change that cannot get SQLite's write lock in time answers 503 in words, never 500.

Reads do not wait on the lock (audit/spool.py, accounts/sessions.py); a change does, for the
busy timeout (20 s), and then this page says what happened and that nothing was changed.
"""

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from yipanqi.core.sqlite import is_locked

RETRY_AFTER_SECONDS = 30


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError) or not is_locked(exception):
            return None
        message = _(
            "The platform is busy saving a large import. Nothing was changed. Please wait a "
            "minute and try again; press Back and what you typed is still in the form."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "errors": {}}, status=503)
        else:
            response = HttpResponse(
                '<!doctype html><html lang="zh-Hans"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{escape(_('Please try again shortly'))}</title>"
                f"<p>{escape(message)}</p></html>",
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
