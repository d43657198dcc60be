"""Writing audit rows. Callers write them inside the transaction of the action they record."""

from dataclasses import dataclass

from yipanqi.audit.models import Action, AuditEvent, Result


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an action came from: the channel and the client address."""

    channel: str = "cli"
    ip: str | None = None

    @classmethod
    def from_request(cls, request, channel: str = "web") -> "Origin":
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        return cls(channel=channel, ip=ip or None)


def record_event(
    *,
    actor,
    action: Action | str,
    origin: Origin | None = None,
    result: Result | str = Result.OK,
    object_type: str = "",
    object_id: str | int = "",
    person_id: int | None = None,
    reason: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit row; never pass sensitive values (ID or phone numbers) in detail."""
    origin = origin or Origin()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "",
        action=action,
        result=result,
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        reason=reason[:300],
        ip=origin.ip,
        channel=origin.channel,
        detail=detail or {},
    )
