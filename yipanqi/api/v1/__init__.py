"""The typed JSON API, /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Endpoints parse, authorize, call one service and serialize; the rules live in the domain apps.
"""

import functools

from django.conf import settings
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from yipanqi.api.v1 import errors, idempotency
from yipanqi.api.v1.auth import SessionAuth, TokenAuth
from yipanqi.api.v1.births import router as births_router
from yipanqi.api.v1.certificates import router as certificates_router
from yipanqi.api.v1.directory import router as directory_router
from yipanqi.api.v1.divisions import router as divisions_router
from yipanqi.api.v1.exchange import router as exchange_router
from yipanqi.api.v1.grievances import router as grievances_router
from yipanqi.api.v1.imports import router as imports_router
from yipanqi.api.v1.ops import router as ops_router
from yipanqi.api.v1.persons import router as persons_router
from yipanqi.api.v1.services import router as services_router
from yipanqi.api.v1.stats import router as stats_router
from yipanqi.api.v1.todo import router as todo_router
from yipanqi.api.v1.workdays import router as workdays_router


class YipanqiAPI(NinjaAPI):
    """ninja's API whose OpenAPI document lists every operation's error answers (issue 16.10)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return idempotency.document(errors.document_errors(document))


def docs_for_whom(view):
    """The docs page and the OpenAPI document: public where settings.API_DOCS_PUBLIC says so
    (development by default), otherwise only for a signed-in user or a valid token."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.API_DOCS_PUBLIC:
            user = getattr(request, "user", None)
            if not (user is not None and user.is_authenticated) and TokenAuth()(request) is None:
                raise Http404
        return view(request, *args, **kwargs)

    return guarded


api = YipanqiAPI(
    title="一盘棋 Yipanqi API",
    version="1",
    description=(
        "Inter-jurisdiction platform for migrant reproductive-health services. "
        "Authenticate with `Authorization: Bearer <token>` (see /tokens/ in the web UI). "
        "Creating POSTs accept an `Idempotency-Key` header: a repeat with the same key and body "
        "gets the first answer again and nothing is done twice."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
    docs_decorator=docs_for_whom,
)
errors.install(api)
# Issue 12.17: every creating POST honours an Idempotency-Key header.
api.add_decorator(idempotency.decorator, mode="view")
api.add_router("/divisions", divisions_router)
api.add_router("/workdays", workdays_router)
api.add_router("/persons", persons_router)
api.add_router("/exchange", exchange_router)
api.add_router("/certificates", certificates_router)
api.add_router("/births", births_router)
api.add_router("/services", services_router)
api.add_router("/grievances", grievances_router)
api.add_router("/directory", directory_router)
api.add_router("/imports", imports_router)
api.add_router("/stats", stats_router)
api.add_router("/todo", todo_router)
api.add_router("/ops", ops_router)


@api.exception_handler(OverflowError)
def _number_too_large(request, exc):
    """An id beyond the database's 64-bit integers names nothing: say so instead of a 500."""
    return api.create_response(
        request, {"detail": _("A number in the request is too large."), "errors": {}}, status=422
    )


@api.exception_handler(DataError)
def _value_out_of_range(request, exc):
    """PostgreSQL refuses out-of-range values (integer out of range): the input's fault."""
    return api.create_response(
        request, {"detail": _("A value in the request is out of range."), "errors": {}}, status=422
    )
