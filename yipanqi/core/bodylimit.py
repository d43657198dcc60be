"""Request bodies over the size limit answer 413 with a plain reason, before anything reads them
(issue 16.11: a 21 MB JSON body answered 500 on the development settings).

Django raises RequestDataTooBig when `request.body` or `request.POST` exceeds
DATA_UPLOAD_MAX_MEMORY_SIZE (YIPANQI_MAX_UPLOAD_BYTES); django-ninja's default handler turns it
into a 500 with DEBUG and Django into a bare 400 without. A declared Content-Length over the limit
is refused here; a body that still trips the limit while it is read (no length declared,
multipart form fields) reaches the API's handler or `bad_request` below. Multipart bodies are not
measured by their length, since uploaded files do not count against this limit.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults


def limit_megabytes() -> int:
    return max(1, (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // (1024 * 1024))


def too_large_message() -> str:
    return _("The request is too large: at most %(mb)s MB can be sent at once.") % {
        "mb": limit_megabytes()
    }


def too_large_response(request) -> HttpResponse:
    """413 in the API's error shape ({"detail": ...}) under /api/, else a plain page."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": too_large_message(), "errors": {}}, status=413)
        else:
            html = render_to_string(
                "core/too_large.html", {"message": too_large_message(), "language": language}
            )
            response = HttpResponse(html, status=413)
    # The rest of the body is never read: tell the client the connection ends here.
    response["Connection"] = "close"
    return response


class RequestSizeMiddleware:
    """Refuse a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "")
        if limit is not None and not content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return too_large_response(request)
        return self.get_response(request)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """handler400: a body that grew over the limit while read is a 413, not a bare 400."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    return defaults.bad_request(request, exception, template_name)
