from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from yipanqi.accounts.models import ApiToken
from yipanqi.core.sqlite import busy_timeout, is_locked


def _note_use(record: ApiToken, now) -> None:
    """When the token was last used (for its owner's list): on SQLite, while a large import
    holds the write lock, it waits briefly and is left for a later request (issue 16.2)."""
    record.last_used_at = now
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        record.save(update_fields=["last_used_at"])
        return
    try:
        with busy_timeout(connection, settings.AUDIT_SPOOL_AFTER_MS):
            record.save(update_fields=["last_used_at"])
    except OperationalError as exc:
        if not is_locked(exc):
            raise


class TokenAuth(HttpBearer):
    """Bearer token: only the token's hash is stored; a revoked token, one of a disabled user or
    one made before the user's password changed is refused (ApiToken.is_usable, issue 16.4)."""

    def authenticate(self, request, token: str):
        try:
            record = ApiToken.objects.select_related("user").get(key_hash=ApiToken.hash_key(token))
        except ApiToken.DoesNotExist:
            return None
        if not record.is_usable():
            return None
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            _note_use(record, now)
        request.user = record.user
        return record.user


class SessionAuth(NinjaSessionAuth):
    """The web session (with its CSRF check), so pages can call the API with htmx."""
