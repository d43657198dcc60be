"""P5: field encryption fails loudly on tampering, and old key versions keep decrypting."""

import base64
import os

import pytest

from yipanqi.core.crypto import DecryptionError, FieldCipher, parse_keyring


def _key():
    return base64.b64encode(os.urandom(32)).decode()


def test_p5_round_trip_and_no_plaintext_in_ciphertext():
    cipher = FieldCipher(parse_keyring(f"1:{_key()}"))
    token = cipher.encrypt("11010519491231002X", associated=b"person.id")
    assert b"11010519491231002X" not in token
    assert cipher.decrypt(token, associated=b"person.id") == "11010519491231002X"


def test_p5_tampered_ciphertext_is_an_error_not_garbage():
    cipher = FieldCipher(parse_keyring(f"1:{_key()}"))
    token = bytearray(cipher.encrypt("13800138000"))
    token[-1] ^= 0x01
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(token))


def test_p5_ciphertext_bound_to_its_field():
    cipher = FieldCipher(parse_keyring(f"1:{_key()}"))
    token = cipher.encrypt("13800138000", associated=b"person.phone")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, associated=b"person.id")


def test_p5_new_key_encrypts_old_key_still_decrypts():
    k1, k2 = _key(), _key()
    old = FieldCipher(parse_keyring(f"1:{k1}")).encrypt("secret")
    both = FieldCipher(parse_keyring(f"1:{k1},2:{k2}"))
    assert both.decrypt(old) == "secret"
    assert FieldCipher.version_of(both.encrypt("x")) == 2


@pytest.mark.parametrize(
    "spec", ["", "1", "x:abc", "1:notbase64!", "1:" + base64.b64encode(b"short").decode()]
)
def test_bad_key_specs_fail_loudly(spec):
    with pytest.raises(ValueError):
        parse_keyring(spec)
