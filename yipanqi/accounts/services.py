"""Account actions: log-in records, password changes, disabling users, API tokens. Each one is
audited in its own transaction."""

from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yipanqi.accounts.models import ApiToken, User, UserSession
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import NotFound
from yipanqi.core.logs import redact


def remember_session(user: User, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def move_session(user: User, old_key: str | None, new_key: str | None) -> None:
    """The session went on under a new key (after a password change): track the new one."""
    with transaction.atomic():
        if old_key and old_key != new_key:
            UserSession.objects.filter(session_key=old_key).delete()
        remember_session(user, new_key)


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete every session of the user but `keep`; the next request of each is anonymous.

    Sessions this table does not know of end all the same: their stored hash no longer matches
    once the credential generation changed (User.get_session_auth_hash)."""
    mine = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(mine.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    mine.delete()
    return len(keys)


def create_token(user: User, name: str, *, acting_user: User, origin: Origin) -> tuple:
    """A new API token for `user` (the key is returned once, only its hash is kept); audited."""
    name = (name or "").strip()[:100] or "api"
    with transaction.atomic():
        token, key = ApiToken.issue(user, name=name)
        record_event(
            actor=acting_user,
            action=Action.TOKEN_CREATE,
            origin=origin,
            object_type="api_token",
            object_id=token.pk,
            detail={"user": user.pk, "name": name, "prefix": token.prefix},
        )
    return token, key


def revoke_tokens(tokens, *, reason: str, acting_user: User | None, origin: Origin) -> int:
    """Revoke the still-live tokens among `tokens` for good, one audit row each."""
    with transaction.atomic():
        live = list(
            ApiToken.objects.select_for_update()
            .filter(pk__in=[t.pk for t in tokens], revoked_at__isnull=True)
            .order_by("pk")
        )
        now = timezone.now()
        ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(
            revoked_at=now, revoked_reason=reason[:100]
        )
        for token in live:
            record_event(
                actor=acting_user,
                action=Action.TOKEN_REVOKE,
                origin=origin,
                object_type="api_token",
                object_id=token.pk,
                reason=reason,
                detail={"user": token.user_id, "prefix": token.prefix},
            )
    return len(live)


def revoke_own_token(token_id: int, *, acting_user: User, origin: Origin) -> int:
    """The owner revokes one of her API tokens on her tokens page, audited (revoke_tokens) in one
    transaction; NotFound, nothing written, for a token that is not hers to revoke."""
    with transaction.atomic():
        token = ApiToken.objects.filter(user=acting_user, pk=token_id).first()
        if token is None:
            raise NotFound
        return revoke_tokens(
            [token], reason="revoked by its owner", acting_user=acting_user, origin=origin
        )


def end_credentials(
    user: User, *, reason: str, acting_user: User | None, origin: Origin, keep_session=None
) -> dict:
    """Issue 16.4: every API token of the user revoked, every session but `keep_session` ended.

    Called inside the transaction of a password change, a reset or a disable."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    revoked = revoke_tokens(tokens, reason=reason, acting_user=acting_user, origin=origin)
    return {"tokens_revoked": revoked, "sessions_ended": end_sessions(user, keep=keep_session)}


def record_login(user: User, *, origin: Origin, session_key: str | None) -> None:
    with transaction.atomic():
        remember_session(user, session_key)
        record_event(
            actor=user, action=Action.LOGIN, origin=origin, object_type="user", object_id=user.pk
        )


def record_login_failed(username: str, *, origin: Origin, locked: bool) -> None:
    user = User.objects.filter(username=username).first() if username else None
    record_event(
        actor=user,
        action=Action.LOGIN_FAILED,
        origin=origin,
        result=Result.DENIED,
        object_type="user",
        object_id=user.pk if user else "",
        # What was typed as a user name may be an ID or phone number: masked like in logs.
        detail={"username": redact((username or "")[:150]), "locked": locked},
    )


def record_logout(user: User, *, origin: Origin, session_key: str | None, reason: str = "") -> None:
    with transaction.atomic():
        if session_key:
            UserSession.objects.filter(session_key=session_key).delete()
        record_event(
            actor=user,
            action=Action.SESSION_ENDED if reason else Action.LOGOUT,
            origin=origin,
            object_type="user",
            object_id=user.pk,
            reason=reason,
        )


def change_password(
    user: User,
    new_password: str | None,
    *,
    acting_user: User,
    origin: Origin,
    keep_session: str | None = None,
) -> dict:
    """Set a new password after the policy's checks (raises ValidationError, changes nothing).

    Issue 16.4: every API token of the user is revoked and every session ended, but
    `keep_session` (the owner's own session, in which they changed it). Set by someone else it
    is a reset: the owner must choose their own at the next log-in. None (the administration
    site's choice) switches password log-in off."""
    own = acting_user.pk == user.pk
    if new_password is not None:
        password_validation.validate_password(new_password, user)
    with transaction.atomic():
        if new_password is None:
            user.set_unusable_password()
        else:
            user.set_password(new_password)
        if not own:
            user.password_changed_at = None
        user.save(update_fields=["password", "password_changed_at"])
        ended = end_credentials(
            user,
            reason="password changed" if own else "password reset",
            acting_user=acting_user,
            origin=origin,
            keep_session=keep_session if own else None,
        )
        record_event(
            actor=acting_user,
            action=Action.PASSWORD_CHANGE,
            origin=origin,
            object_type="user",
            object_id=user.pk,
            detail={"reset": not own, "usable": new_password is not None, **ended},
        )
    return ended


def set_active(user: User, active: bool, *, acting_user: User, origin: Origin) -> None:
    """Enable or disable a user. Disabling revokes every API token and ends every session for
    good (issue 16.4): a new credential generation, so enabling the user again revives none."""
    with transaction.atomic():
        if active:
            User.objects.filter(pk=user.pk).update(is_active=True)
            ended = {"tokens_revoked": 0, "sessions_ended": 0}
        else:
            User.objects.filter(pk=user.pk).update(
                is_active=False, credential_generation=F("credential_generation") + 1
            )
            ended = end_credentials(
                user, reason="user disabled", acting_user=acting_user, origin=origin
            )
        user.is_active = active
        user.refresh_from_db(fields=["credential_generation"])
        record_event(
            actor=acting_user,
            action=Action.USER_CHANGE,
            origin=origin,
            object_type="user",
            object_id=user.pk,
            detail={"is_active": active, **ended},
        )


def reset_second_factor(user: User, *, acting_user: User, origin: Origin) -> int:
    """Issue 12.1: remove every second-factor device of `user` (TOTP, backup codes, any kind
    django-otp has), end their sessions and audit it. Nobody is shown the old secret or a new
    one: the owner sets up a new one at the next log-in (or from their own page), where the new
    secret is shown once, to them only. Returns how many devices were removed."""
    from django_otp import devices_for_user

    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        kinds = sorted({device._meta.label_lower for device in devices})
        for device in devices:
            device.delete()
        ended = end_sessions(user)
        record_event(
            actor=acting_user,
            action=Action.OTP_RESET,
            origin=origin,
            object_type="user",
            object_id=user.pk,
            detail={"devices_removed": len(devices), "kinds": kinds, "sessions_ended": ended},
        )
    return len(devices)
