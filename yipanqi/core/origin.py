"""Where an action came from (the audit origin): the channel and the client address. Kept in
core, with no app import, so every layer can name it; audit.services writes it into its rows."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.utils.ipv6 import clean_ipv6_address


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
