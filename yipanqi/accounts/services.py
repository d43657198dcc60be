"""Account actions: log-in records, password changes, disabling users. Each one is audited."""

from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.db import transaction

from yipanqi.accounts.models import User, UserSession
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.logs import redact


def remember_session(user: User, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def end_sessions(user: User) -> int:
    """Delete every session of the user; the next request of each is anonymous."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


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


def change_password(user: User, new_password: str, *, acting_user: User, origin: Origin) -> None:
    """Set a new password after the policy's checks (raises ValidationError)."""
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        if acting_user.pk != user.pk:
            # Set by an administrator: the owner must choose their own at the next log-in.
            user.password_changed_at = None
        user.save(update_fields=["password", "password_changed_at"])
        record_event(
            actor=acting_user,
            action=Action.PASSWORD_CHANGE,
            origin=origin,
            object_type="user",
            object_id=user.pk,
        )


def set_active(user: User, active: bool, *, acting_user: User, origin: Origin) -> None:
    """Enable or disable a user; disabling ends their sessions (their API tokens stop too)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        ended = 0 if active else end_sessions(user)
        record_event(
            actor=acting_user,
            action=Action.USER_CHANGE,
            origin=origin,
            object_type="user",
            object_id=user.pk,
            detail={"is_active": active, "sessions_ended": ended},
        )
