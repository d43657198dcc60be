"""Field encryption and blind indexes for sensitive personal information (P5).

Ciphertext layout: b"\\x01" + key version (2 bytes, big endian) + 12-byte nonce + AES-256-GCM
output. The key version lets `yipanqi keys rotate` re-encrypt row by row while both keys decrypt.
A blind index is an HMAC-SHA256 of the canonical value under a separate key, so an exact lookup
works without storing or revealing the value.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_FORMAT = b"\x01"


class DecryptionError(Exception):
    """Ciphertext that was altered, truncated, or made with a key we do not hold."""


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(f"{what} is not valid base64") from None
    if len(key) != 32:
        raise ValueError(f"{what} must decode to 32 bytes, not {len(key)}")
    return key


def parse_keyring(spec: str) -> dict[int, bytes]:
    """Parse "1:<base64>,2:<base64>" into {version: key}."""
    ring: dict[int, bytes] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        version_text, sep, key_text = part.partition(":")
        if not sep or not version_text.isdigit() or not 0 < int(version_text) < 65536:
            raise ValueError("each field key must look like <version>:<base64 key>")
        ring[int(version_text)] = _decode_key(key_text, f"field key version {version_text}")
    if not ring:
        raise ValueError("no field encryption key configured")
    return ring


class FieldCipher:
    def __init__(self, keyring: dict[int, bytes]):
        self._ciphers = {version: AESGCM(key) for version, key in keyring.items()}
        self.current_version = max(keyring)

    def encrypt(self, plaintext: str, *, associated: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        body = self._ciphers[self.current_version].encrypt(nonce, plaintext.encode(), associated)
        return _FORMAT + self.current_version.to_bytes(2, "big") + nonce + body

    def decrypt(self, token: bytes, *, associated: bytes = b"") -> str:
        token = bytes(token)
        if len(token) < 1 + 2 + 12 + 16 or token[:1] != _FORMAT:
            raise DecryptionError("malformed ciphertext")
        version = int.from_bytes(token[1:3], "big")
        cipher = self._ciphers.get(version)
        if cipher is None:
            raise DecryptionError(f"no key for version {version}")
        try:
            return cipher.decrypt(token[3:15], token[15:], associated).decode()
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None

    @staticmethod
    def version_of(token: bytes) -> int:
        return int.from_bytes(bytes(token)[1:3], "big")


@lru_cache(maxsize=4)
def _cipher_for(spec: str) -> FieldCipher:
    return FieldCipher(parse_keyring(spec))


def field_cipher() -> FieldCipher:
    """The cipher built from settings.FIELD_ENCRYPTION_KEYS (cached per key set)."""
    from django.conf import settings

    return _cipher_for(settings.FIELD_ENCRYPTION_KEYS)


@lru_cache(maxsize=4)
def _index_key(spec: str) -> bytes:
    return _decode_key(spec, "YIPANQI_BLIND_INDEX_KEY")


def blind_index(value: str, *, domain: str) -> str:
    """Hex HMAC-SHA256 of a canonical value, separated per domain ("id", "phone")."""
    from django.conf import settings

    key = _index_key(settings.BLIND_INDEX_KEY)
    return hmac.new(key, domain.encode() + b"\x00" + value.encode(), hashlib.sha256).hexdigest()


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()
