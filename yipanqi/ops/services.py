"""Who sees the operations pages: the system administrator (三员分立: not the security
administrator, not the auditor, not caseworkers), and for /metrics the scraper's token."""

import hmac

from django.conf import settings

SYSTEM_ADMIN = "system_admin"  # accounts.Role.SYSTEM_ADMIN; ops sits below accounts


def may_see_operations(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == SYSTEM_ADMIN


def metrics_token_ok(request) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given.removeprefix("Bearer ").encode(), expected.encode())
