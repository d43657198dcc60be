"""Every error the API answers has one shape (common.ErrorOut), and the document says so.

ninja's own answers (invalid input, unparsable body, 401, 404) are rewritten here into that
shape, and so are the services' refusals: core.errors.Rejected is 422 with its field error map,
core.errors.NotFound is 404 (an endpoint lets them through instead of catching them). `document_errors` adds the error answers each
operation can give to the OpenAPI document, so a client (and the fuzz test's response checks)
can rely on it.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema

from yipanqi.api.v1.common import ErrorOut
from yipanqi.core.errors import NotFound, Rejected

ERROR_REF = REF_TEMPLATE.format(model="ErrorOut")

# Pydantic's error types, in words a village worker understands; anything else is "not valid".
_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_too_short": gettext_lazy("Too short: at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Too long: at most %(max_length)s characters."),
    "too_short": gettext_lazy("Too few items: at least %(min_length)s."),
    "too_long": gettext_lazy("Too many items: at most %(max_length)s."),
    "int_parsing": gettext_lazy("Must be a whole number."),
    "int_type": gettext_lazy("Must be a whole number."),
    "int_from_float": gettext_lazy("Must be a whole number."),
    "float_parsing": gettext_lazy("Must be a number."),
    "float_type": gettext_lazy("Must be a number."),
    "decimal_parsing": gettext_lazy("Must be a number."),
    "greater_than": gettext_lazy("Must be greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s."),
    "less_than": gettext_lazy("Must be less than %(lt)s."),
    "less_than_equal": gettext_lazy("Must be at most %(le)s."),
    "bool_parsing": gettext_lazy("Must be true or false."),
    "bool_type": gettext_lazy("Must be true or false."),
    "date_parsing": gettext_lazy("Must be a date such as 2026-03-01."),
    "date_type": gettext_lazy("Must be a date such as 2026-03-01."),
    "date_from_datetime_parsing": gettext_lazy("Must be a date such as 2026-03-01."),
    "date_from_datetime_inexact": gettext_lazy("Must be a date such as 2026-03-01."),
    "datetime_parsing": gettext_lazy("Must be a date and time such as 2026-03-01T09:30:00+08:00."),
    "datetime_type": gettext_lazy("Must be a date and time such as 2026-03-01T09:30:00+08:00."),
    "datetime_from_date_parsing": gettext_lazy(
        "Must be a date and time such as 2026-03-01T09:30:00+08:00."
    ),
    "enum": gettext_lazy("Must be one of: %(expected)s."),
    "literal_error": gettext_lazy("Must be one of: %(expected)s."),
    "string_type": gettext_lazy("Must be text."),
    "string_pattern_mismatch": gettext_lazy("Is not in the expected form."),
    "list_type": gettext_lazy("Must be a list."),
    "tuple_type": gettext_lazy("Must be a list."),
    "set_type": gettext_lazy("Must be a list."),
    "dict_type": gettext_lazy("Must be an object with named fields."),
    "model_type": gettext_lazy("Must be an object with named fields."),
    "model_attributes_type": gettext_lazy("Must be an object with named fields."),
    "extra_forbidden": gettext_lazy("Is not a field of this request."),
    "uuid_parsing": gettext_lazy("Must be a UUID."),
    "uuid_type": gettext_lazy("Must be a UUID."),
    "json_invalid": gettext_lazy("Is not valid JSON."),
}
_NOT_VALID = gettext_lazy("This value is not valid.")
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field(loc: tuple) -> str:
    """The field a pydantic error is about: ninja's loc starts with where the value came from,
    and a JSON body's loc then names the view's parameter, which is no field of the request."""
    parts = [str(part) for part in loc]
    source = parts.pop(0) if parts and parts[0] in _SOURCES else None
    if source == "body":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _message(error: dict) -> str:
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(_NOT_VALID)
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return str(template) % context
    except (KeyError, TypeError, ValueError):
        return str(_NOT_VALID)


def install(api) -> None:
    """Answer ninja's own errors in the one documented shape."""

    @api.exception_handler(ValidationError)
    def invalid_input(request, exc: ValidationError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            field = _field(tuple(error.get("loc", ())))
            errors.setdefault(field, []).append(_message(error))
        detail = _("Some of what was sent is not valid: %(fields)s.") % {
            "fields": _(", ").join(errors)
        }
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(HttpError)
    def refused(request, exc: HttpError):
        status = exc.status_code
        if status == 400 and str(exc).startswith("Cannot parse request body"):
            detail = _("The request body could not be read; send JSON.")
        elif isinstance(exc, AuthenticationError):
            detail = _("Sign in first: send a valid API token.")
        elif str(exc) == "CSRF check Failed":
            detail = _("The page's security check failed; reload the page and try again.")
        else:
            # The endpoints' refusals are English source strings, most in the catalog already.
            detail = _(str(exc))
        return api.create_response(request, {"detail": detail, "errors": {}}, status=status)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc: RequestDataTooBig):
        # Django raises it when ninja first reads the body; unhandled it is a 500 (DEBUG) or
        # Django's HTML 400 page.
        # Issue 16.11: the limit in words, as the web's 413 page says it.
        from yipanqi.core.bodylimit import too_large_message

        return api.create_response(
            request, {"detail": too_large_message(), "errors": {}}, status=413
        )

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        detail = _("Nothing here: no such record in your jurisdiction.")
        return api.create_response(request, {"detail": detail, "errors": {}}, status=404)

    @api.exception_handler(NotFound)
    def no_such_record(request, exc: NotFound):
        detail = str(exc.message or _("Nothing here: no such record in your jurisdiction."))
        return api.create_response(request, {"detail": detail, "errors": {}}, status=404)

    @api.exception_handler(Rejected)
    def rejected(request, exc: Rejected):
        # A service's refusal: every message, and which field each is about.
        detail = "; ".join(str(message) for message in exc.messages())
        return api.create_response(request, {"detail": detail, "errors": exc.errors}, status=422)


# Which errors an operation can answer, and why; 401 only where a token is asked for, 400 and
# 413 only where a body is read.
_ERRORS = {
    400: "The body could not be read (not JSON), or the record was refused as it stands.",
    401: "No valid token or session.",
    403: "Your role may not do this (or the auditor tried to change something).",
    404: "No such record in your jurisdiction.",
    413: "The body is larger than the deployment allows.",
    422: "A value is missing or not valid, or a rule refuses the action (see `errors`).",
    429: "Too many requests (or invalid tokens) from you; see Retry-After.",
}


def document_errors(document: dict) -> dict:
    """Add to every operation of the OpenAPI document the error answers it can give."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ErrorOut",
        ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE,
            schema_generator=NinjaGenerateJsonSchema,
            mode="serialization",
        ),
    )
    content = {"application/json": {"schema": {"$ref": ERROR_REF}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            codes = {403, 404, 422, 429}
            if operation.get("security"):
                codes.add(401)
            if operation.get("requestBody"):
                codes |= {400, 413}
            for code in sorted(codes):
                if code not in responses:
                    responses[code] = {"description": _ERRORS[code], "content": content}
    return document


def not_found(request, exception=None):
    """Django's 404 for a URL no route matches (yipanqi.urls.handler404): under /api/ in the
    documented JSON shape (an id that is no number, a path the API lacks), elsewhere the page."""
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    detail = _("Nothing here: no such record in your jurisdiction.")
    return JsonResponse({"detail": detail, "errors": {}}, status=404)


class ApiAnswersMiddleware:
    """Issue 12.9: under /api/ the answers are in the client's language and always JSON.

    The language: the language cookie a user chose, else the request's Accept-Language among
    the supported languages, else Simplified Chinese (the web pages ignore Accept-Language: see
    web.middleware.DefaultLanguageMiddleware, which runs before this). A 404 that Django itself
    renders as a page (with DEBUG, its technical page; a path no route matches) becomes the
    documented JSON error; APPEND_SLASH redirects still happen (CommonMiddleware runs after this
    on the way out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if response.status_code == 404 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            response = not_found(request)
        patch_vary_headers(response, ["Accept-Language"])
        response.headers["Content-Language"] = language
        return response
