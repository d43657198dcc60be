"""Writing audit rows. Callers write them inside the transaction of the action they record."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from yipanqi.audit import chain
from yipanqi.audit.models import Action, AuditEvent, ChainHead, Result


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address our own reverse proxies saw.

    X-Forwarded-For is trusted only for the number of proxies in YIPANQI_TRUSTED_PROXIES, counted
    from the right, so a client cannot choose the address written to the audit trail.
    """
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    return _valid_ip(candidate)


def _valid_ip(text: str | None) -> str | None:
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an action came from: the channel and the client address."""

    channel: str = "cli"
    ip: str | None = None

    @classmethod
    def from_request(cls, request, channel: str = "web") -> "Origin":
        return cls(channel=channel, ip=client_ip(request))


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
    """Append one audit row to the hash chain; never pass ID or phone numbers in detail.

    It joins the caller's transaction, so the action and its audit row commit or fail together:
    an action whose audit row cannot be written does not happen.
    """
    origin = origin or Origin()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    with transaction.atomic():
        chain.lock_chain()
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        prev_hash = head.last_hash if head else chain.GENESIS
        row = AuditEvent(
            at=timezone.now(),
            actor=actor if is_user else None,
            actor_name=actor.get_username() if is_user else "",
            action=str(action),
            result=str(result),
            object_type=str(object_type)[:50],
            object_id=str(object_id)[:64],
            person_id=person_id,
            reason=(reason or "")[:300],
            ip=_valid_ip(origin.ip),
            channel=origin.channel[:16],
            detail=chain.normalize_detail(detail),
            prev_hash=prev_hash,
        )
        row.row_hash = chain.row_hash(row, prev_hash)
        row.save(force_insert=True)
        count = (head.count if head else 0) + 1
        mac = chain.head_mac(row.pk, row.row_hash, count)
        if head is None:
            ChainHead.objects.create(
                pk=1, last_id=row.pk, last_hash=row.row_hash, count=count, mac=mac
            )
        else:
            ChainHead.objects.filter(pk=1).update(
                last_id=row.pk, last_hash=row.row_hash, count=count, mac=mac
            )
    return row
