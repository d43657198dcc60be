"""Back-off of failed log-ins per account and per address (issue 16 item 6, ASVS 5.0 V6.3).

django-axes locks one account from one address (`AXES_LOCKOUT_PARAMETERS`); this module slows
guessing down everywhere else without locking good credentials: past
`LOGIN_ACCOUNT_FAILURE_LIMIT` failures for an account (from any address) or
`LOGIN_ADDRESS_FAILURE_LIMIT` failures from an address (any accounts), the next attempt waits
base·2^k seconds, at most `LOGIN_BACKOFF_MAX_SECONDS`. Attempts during the wait are refused
without checking the password and without counting, so hammering does not lengthen it.

A browser that logged in as the account before carries a signed cookie naming it; it skips
both back-offs, so nobody can keep a user (the security administrator included) out of their
own browser. Rows are `core.Throttle`; the security administrator deletes one to lift it.
"""

from django.conf import settings
from django.core import signing

from yipanqi.core import ratelimit

KNOWN_DEVICE_COOKIE = "yq_known"
_SALT = "yipanqi.accounts.known-device"


def account_key(username: str) -> str:
    return "login-account:" + (username or "").strip()[:150]


def address_key(ip: str) -> str:
    return "login-address:" + (ip or "unknown")


def is_known_device(request, username: str) -> bool:
    """True when this browser has logged in as `username` before (signed, unexpired cookie)."""
    try:
        known = request.get_signed_cookie(
            KNOWN_DEVICE_COOKIE,
            salt=_SALT,
            max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
        )
    except (KeyError, signing.BadSignature):
        return False
    return bool(username) and known == (username or "").strip()


def wait_seconds(request, username: str, ip: str) -> int:
    """Seconds this attempt must wait before the password is checked; 0 to check it now."""
    if is_known_device(request, username):
        return 0
    return max(ratelimit.blocked_for(account_key(username)), ratelimit.blocked_for(address_key(ip)))


def record_failure(username: str, ip: str) -> None:
    """Count a failed password for the account and the address; back off past the free ones."""
    common = {
        "window": settings.LOGIN_FAILURE_WINDOW_MINUTES * 60,
        "base": settings.THROTTLE_BACKOFF_BASE_SECONDS,
        "cap": settings.LOGIN_BACKOFF_MAX_SECONDS,
    }
    if username:
        ratelimit.fail(account_key(username), free=settings.LOGIN_ACCOUNT_FAILURE_LIMIT, **common)
    ratelimit.fail(address_key(ip), free=settings.LOGIN_ADDRESS_FAILURE_LIMIT, **common)


def record_success(response, user) -> None:
    """This browser is known for the account from now on.

    The account's count is kept until its window ends: the user's own success says nothing
    about the guesses made elsewhere, and must not hand the guesser fresh free tries.
    """
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        user.get_username(),
        salt=_SALT,
        max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
