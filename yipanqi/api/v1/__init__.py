"""The typed JSON API, /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Endpoints parse, authorize, call one service and serialize; the rules live in the domain apps.
"""

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from ninja import NinjaAPI

from yipanqi.api.v1.auth import SessionAuth, TokenAuth
from yipanqi.api.v1.births import router as births_router
from yipanqi.api.v1.certificates import router as certificates_router
from yipanqi.api.v1.directory import router as directory_router
from yipanqi.api.v1.divisions import router as divisions_router
from yipanqi.api.v1.exchange import router as exchange_router
from yipanqi.api.v1.grievances import router as grievances_router
from yipanqi.api.v1.imports import router as imports_router
from yipanqi.api.v1.persons import router as persons_router
from yipanqi.api.v1.services import router as services_router
from yipanqi.api.v1.stats import router as stats_router
from yipanqi.api.v1.workdays import router as workdays_router

api = NinjaAPI(
    title="一盘棋 Yipanqi API",
    version="1",
    description=(
        "Inter-jurisdiction platform for migrant reproductive-health services. "
        "Authenticate with `Authorization: Bearer <token>` (see /tokens/ in the web UI)."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)
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


@api.exception_handler(OverflowError)
def _number_too_large(request, exc):
    """An id beyond the database's 64-bit integers names nothing: say so instead of a 500."""
    return api.create_response(
        request, {"detail": "A number in the request is too large."}, status=422
    )


@api.exception_handler(DataError)
def _value_out_of_range(request, exc):
    """PostgreSQL refuses out-of-range values (integer out of range): the input's fault."""
    return api.create_response(
        request, {"detail": "A value in the request is out of range."}, status=422
    )


@api.exception_handler(RequestDataTooBig)
def _body_too_large(request, exc):
    """Issue 16.11: a body over YIPANQI_MAX_UPLOAD_BYTES is a 413 with a reason, never a 500."""
    from yipanqi.core.bodylimit import too_large_message

    return api.create_response(request, {"detail": too_large_message()}, status=413)
