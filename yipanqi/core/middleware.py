"""Web hardening middleware (issue 7.6): no caching of personal pages; API guard."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from yipanqi.core import ratelimit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class NoStoreMiddleware:
    """Pages and API answers are never stored by browsers or proxies, unless marked public.

    Static files are served before this middleware and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _bearer(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class ApiGuardMiddleware:
    """For /api/: rate limit, lock an address after repeated bad tokens, auditor reads only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        from yipanqi.audit.services import client_ip

        ip = client_ip(request) or "unknown"
        token = _bearer(request)
        if _is_locked(ip):
            return JsonResponse(
                {"detail": "Too many invalid tokens from this address; try again later."},
                status=429,
            )
        if token:
            rate_key = "tok:" + hashlib.sha256(token.encode()).hexdigest()[:24]
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            rate_key = f"user:{request.user.pk}"
        else:
            rate_key = f"ip:{ip}"
        if ratelimit.hit(f"api:{rate_key}", limit=settings.API_RATE_PER_MINUTE):
            response = JsonResponse(
                {"detail": "Too many requests; slow down and retry shortly."}, status=429
            )
            response["Retry-After"] = str(ratelimit.retry_after())
            return response
        if token:
            user = _token_user(token)
            if user is None:
                _count_failure(request, ip)
            else:
                from yipanqi.accounts import readonly

                refused = readonly.refusal(request, user, channel="api")
                if refused is not None:
                    return refused
        return self.get_response(request)


def _token_user(token: str):
    from yipanqi.accounts.models import ApiToken

    record = (
        ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
    )
    if record is None or not record.is_usable():
        return None
    return record.user


def _is_locked(ip: str) -> bool:
    from yipanqi.core.models import ApiAuthFailure

    return ApiAuthFailure.objects.filter(ip=ip, locked_until__gt=timezone.now()).exists()


def _count_failure(request, ip: str) -> None:
    from yipanqi.audit.models import Action, Result
    from yipanqi.audit.services import Origin, record_event
    from yipanqi.core.models import ApiAuthFailure

    now = timezone.now()
    window = dt.timedelta(minutes=settings.API_BAD_TOKEN_LOCK_MINUTES)
    with transaction.atomic():
        row, created = ApiAuthFailure.objects.select_for_update().get_or_create(
            ip=ip, defaults={"failures": 1, "first_at": now}
        )
        if not created:
            if now - row.first_at > window and not (row.locked_until and row.locked_until > now):
                ApiAuthFailure.objects.filter(ip=ip).update(
                    failures=1, first_at=now, locked_until=None
                )
            else:
                ApiAuthFailure.objects.filter(ip=ip).update(failures=F("failures") + 1)
            row.refresh_from_db()
        locked = row.failures >= settings.API_BAD_TOKEN_LIMIT
        if locked and not row.locked_until:
            ApiAuthFailure.objects.filter(ip=ip).update(locked_until=now + window)
        record_event(
            actor=None,
            action=Action.LOGIN_FAILED,
            origin=Origin.from_request(request, channel="api"),
            result=Result.DENIED,
            object_type="api_token",
            detail={"failures": row.failures, "locked": locked},
        )
