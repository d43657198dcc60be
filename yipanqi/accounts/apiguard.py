"""The API guard (issue 7.6, issue 16 item 6): rate limit, back-off for bad tokens, auditor reads.

It lives with accounts because it resolves API tokens to users and audits their failures.
"""

from django.conf import settings
from django.http import JsonResponse

from yipanqi.accounts import readonly
from yipanqi.accounts.models import ApiToken
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, client_ip, record_event
from yipanqi.core import ratelimit


def _bearer(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class ApiGuardMiddleware:
    """For /api/: rate limit, back-off for an address that sends bad tokens, auditor reads only.

    A valid token always passes (issue 16 item 6): bad tokens slow down only the requests that
    carry bad tokens, so a scanner cannot lock the users behind its address out. Requests with
    a bad token count against the address's budget, not against the (random) token's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        ip = client_ip(request) or "unknown"
        token = _bearer(request)
        user = _token_user(token) if token else None
        if token and user is None:
            wait = ratelimit.blocked_for(f"api-bad-token:{ip}")
            if wait:
                return _slow_down(
                    "Too many invalid tokens from this address; try again later.", wait
                )
        if user is not None:
            # Issue 12.1: the token's id, not a hash of it: back-off rows are shown to the
            # security administrator, and a hash's prefix is a prefix of the stored key hash.
            rate_key = f"tok:{user.api_token_pk}"
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            rate_key = f"user:{request.user.pk}"
        else:
            rate_key = f"ip:{ip}"
        limited = ratelimit.hit(f"api:{rate_key}", limit=settings.API_RATE_PER_MINUTE)
        if limited:
            return _slow_down(
                "Too many requests; slow down and retry shortly.", limited.retry_after
            )
        if token:
            if user is None:
                _count_failure(request, ip)
            else:
                refused = readonly.refusal(request, user, channel="api")
                if refused is not None:
                    return refused
        return self.get_response(request)


def _slow_down(detail: str, seconds: int) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=429)
    response["Retry-After"] = str(max(1, seconds))
    return response


def _token_user(token: str):
    record = (
        ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
    )
    if record is None or not record.is_usable():
        return None
    record.user.api_token_pk = record.pk
    return record.user


def _count_failure(request, ip: str) -> None:
    """Count a bad token for the address; past the free ones, back off exponentially."""
    delay = ratelimit.fail(
        f"api-bad-token:{ip}",
        free=settings.API_BAD_TOKEN_LIMIT,
        window=settings.API_BAD_TOKEN_WINDOW_MINUTES * 60,
        base=settings.THROTTLE_BACKOFF_BASE_SECONDS,
        cap=settings.API_BAD_TOKEN_BACKOFF_MAX_SECONDS,
    )
    record_event(
        actor=None,
        action=Action.LOGIN_FAILED,
        origin=Origin.from_request(request, channel="api"),
        result=Result.DENIED,
        object_type="api_token",
        detail={"backoff_seconds": delay},
    )
