from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from yipanqi.accounts.models import ApiToken


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
            record.last_used_at = now
            record.save(update_fields=["last_used_at"])
        request.user = record.user
        return record.user


class SessionAuth(NinjaSessionAuth):
    """The web session (with its CSRF check), so pages can call the API with htmx."""
