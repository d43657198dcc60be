"""The `Idempotency-Key` header of the API's creating endpoints (issue 12.17).

A client that is not sure its POST arrived (a phone losing its connection) sends it again
with the same key. The first request with a key is done and its answer stored, per user (or,
on the public endpoints, per client address) and key, with a hash of the request; a repeat
with the same key and request gets the stored answer without anything being done again; the
same key with another request is refused with 422 in the documented error shape. The key is
claimed by inserting its row first (`core.IdempotencyKey`'s unique constraint): of two
concurrent duplicates one does the work and the other is told to wait (409) or, once the
first has answered, gets its answer. Keys expire after `settings.API_IDEMPOTENCY_SECONDS`.

Answers of 5xx, 409 and 429 are not kept (nothing was done): the same key may be sent again.
POST operations that only read (a search, a status look-up, an export) ignore the header.
"""

import datetime as dt
import functools
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.audit.services import client_ip
from yipanqi.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# POST operations that change nothing (module, function): repeating them is harmless.
READS = {
    ("yipanqi.api.v1.persons", "search"),
    ("yipanqi.api.v1.grievances", "public_status"),
    ("yipanqi.api.v1.imports", "export"),
}
# Answers not kept: the work was not done (or not finished), so it may be tried again.
NOT_KEPT = {409, 429}
REPLAYED = "Idempotent-Replayed"
_KEPT_HEADERS = ("Location", "Content-Disposition")


def is_creating(operation) -> bool:
    """Whether an API operation is a POST that creates or changes something."""
    view = operation.view_func
    if "POST" not in operation.methods:
        return False
    return (getattr(view, "__module__", ""), getattr(view, "__name__", "")) not in READS


def decorator(run):
    """ninja "view" decorator (before validation) for each operation's `run`."""
    operation = getattr(run, "__self__", None)
    if operation is None or not is_creating(operation):
        return run

    @functools.wraps(run)
    def guarded(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, *args, **kwargs)
        # Who asks: authenticate as the operation itself will (its own check runs again).
        refused = operation._run_checks(request)
        if refused is not None:
            return refused
        if not _valid(key):
            return _error(
                operation,
                request,
                422,
                _("The Idempotency-Key header must be 1 to 255 visible ASCII characters."),
            )
        owner = _owner(request)
        digest = _digest(request)
        name = f"POST {request.path}"
        claimed, record = _claim(owner, key, name, digest)
        if not claimed:
            if record.body_hash != digest:
                return _error(
                    operation,
                    request,
                    422,
                    _(
                        "This Idempotency-Key was already used for a different request. "
                        "Use a new key for a new request."
                    ),
                )
            if record.status_code is None:
                return _error(
                    operation,
                    request,
                    409,
                    _(
                        "A request with this Idempotency-Key is still being done. "
                        "Please wait a moment and send it again."
                    ),
                )
            return _replay(record)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            _release(record)
            raise
        _keep(record, response)
        return response

    return guarded


def _valid(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def _owner(request) -> str:
    user = getattr(request, "auth", None)
    if getattr(user, "pk", None) is not None:
        return f"user:{user.pk}"
    return f"address:{client_ip(request) or '-'}"


def _digest(request) -> str:
    """SHA-256 of the path and the body; a form upload by its fields and files' bytes."""
    digest = hashlib.sha256(request.path.encode())
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/form-data"):
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(b"\0field\0" + name.encode() + b"\0" + value.encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(b"\0file\0" + name.encode() + b"\0")
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(b"\0body\0" + request.body)
    return digest.hexdigest()


def _claim(owner: str, key: str, name: str, digest: str) -> tuple[bool, IdempotencyKey]:
    """(True, the new row) when this request may do the work; else (False, the row of the
    request that did or does it). An expired row is removed and the key claimed anew."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    owner=owner,
                    key=key,
                    operation=name[:300],
                    body_hash=digest,
                    created_at=now,
                    expires_at=now + dt.timedelta(seconds=settings.API_IDEMPOTENCY_SECONDS),
                )
            _forget_expired(owner, now)
            return True, record
        except IntegrityError:
            record = IdempotencyKey.objects.filter(owner=owner, key=key).first()
            if record is None:
                continue  # expired and removed meanwhile
            if record.expires_at > now:
                return False, record
            IdempotencyKey.objects.filter(pk=record.pk, expires_at__lte=now).delete()
    return False, record


def _forget_expired(owner: str, now) -> None:
    IdempotencyKey.objects.filter(owner=owner, expires_at__lte=now).delete()


def _release(record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def _keep(record: IdempotencyKey, response) -> None:
    status = response.status_code
    if status >= 500 or status in NOT_KEPT or getattr(response, "streaming", False):
        _release(record)
        return
    record.status_code = status
    record.content_type = response.get("Content-Type", "")[:100]
    record.content = bytes(response.content)
    record.headers = {h: response[h] for h in _KEPT_HEADERS if response.has_header(h)}
    record.save(update_fields=["status_code", "content_type", "content", "headers"])


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.content), status=record.status_code, content_type=record.content_type
    )
    for name, value in (record.headers or {}).items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


def _error(operation, request, status: int, message: str):
    return operation.api.create_response(
        request, {"detail": message, "errors": {HEADER: [message]}}, status=status
    )


def document(document: dict) -> dict:
    """The header in the OpenAPI document on every creating operation, with its 409."""
    reads = {(module + "_" + name).replace(".", "_") for module, name in READS}
    for methods in document.get("paths", {}).values():
        post = methods.get("post")
        if not post or post.get("operationId", "") in reads:
            continue
        parameters = post.setdefault("parameters", [])
        if not any(p.get("name") == HEADER for p in parameters):
            parameters.append(_PARAMETER)
        post.setdefault("responses", {}).setdefault(
            409,
            {
                "description": (
                    "A request with this Idempotency-Key is still being done; send it again "
                    "in a moment."
                ),
                "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
            },
        )
    return document


_ERROR_REF = "#/components/schemas/ErrorOut"  # errors.ERROR_REF
_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any unique string (a UUID) naming this request, up to 255 characters. The first "
        "request with a key is done and its answer kept for YIPANQI_API_IDEMPOTENCY_SECONDS "
        "(a day by default); the same key with the same request gets that answer again, "
        "with the header Idempotent-Replayed: true, and nothing is done twice. The same key "
        "with a different request answers 422; while the first is still being done, 409."
    ),
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
}
