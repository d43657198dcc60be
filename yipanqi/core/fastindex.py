"""The blind index of core.crypto, computed with the HMAC's key pads prepared once per import.

`blind_index` costs about 4 µs (settings lookup, key decoding, HMAC set-up per call); with the
inner and outer SHA-256 states prepared once, a value costs about 1 µs. The result is checked
against `blind_index` when the indexer is made, and if the scheme ever differs the indexer is
`blind_index` itself, so the two can never disagree.
"""

import hashlib
from collections.abc import Callable

from yipanqi.core import crypto

_PROBE = "110101199003070011"


def indexer(domain: str) -> Callable[[str], str]:
    """A function value -> blind_index(value, domain=domain)."""

    def slow(value: str) -> str:
        return crypto.blind_index(value, domain=domain)

    try:
        from django.conf import settings

        key = crypto._index_key(settings.BLIND_INDEX_KEY)
    except (AttributeError, ValueError):
        return slow
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    pad = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in pad))
    inner.update(domain.encode() + b"\x00")
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in pad))

    def fast(value: str) -> str:
        first = inner.copy()
        first.update(value.encode())
        second = outer.copy()
        second.update(first.digest())
        return second.hexdigest()

    return fast if fast(_PROBE) == slow(_PROBE) else slow
