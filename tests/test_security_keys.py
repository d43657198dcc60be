"""Issue 7, item 5: field encryption keys (P5). Rotation without downtime; tampered ciphertext
is an error; keys never in the database."""

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import id_for
from yipanqi.core import backup, rotation
from yipanqi.core.crypto import DecryptionError, FieldCipher, generate_key
from yipanqi.people.models import Person

OLD = "1:ZGV2LW9ubHkta2V5LWZvci15aXBhbnFpLWRlbW8tMDE="


def _out(*args):
    buffer = io.StringIO()
    call_command(*args, stdout=buffer)
    return buffer.getvalue()


def test_p5_rotation_re_encrypts_while_both_keys_decrypt(register_inflow, settings):
    """Issue 7.5: with "1:old,2:new" new writes use v2 and old rows still read; `keys rotate`
    moves every value to v2; then the old key can go and everything still decrypts."""
    person = register_inflow().person
    new_key = generate_key()
    settings.FIELD_ENCRYPTION_KEYS = f"{OLD},2:{new_key}"
    assert FieldCipher.version_of(person.id_number_cipher) == 1
    assert person.reveal_id_number() == id_for()  # old version still decrypts
    assert "v1: 1" in _out("keys", "status")
    assert "re-encrypted 2" in _out("keys", "rotate", "--batch-size", "1")  # id and phone
    person.refresh_from_db()
    assert FieldCipher.version_of(person.id_number_cipher) == 2
    assert FieldCipher.version_of(person.phone_cipher) == 2
    settings.FIELD_ENCRYPTION_KEYS = f"2:{new_key}"
    assert person.reveal_id_number() == id_for()
    assert person.reveal_phone() == "13800138000"
    assert "re-encrypted 0" in _out("keys", "rotate")  # idempotent


def test_p5_tampered_ciphertext_is_an_error_not_garbage(register_inflow):
    """Issue 7.5: one flipped bit and the value refuses to decrypt; rotation stops on it."""
    person = register_inflow().person
    token = bytearray(person.id_number_cipher)
    token[-1] ^= 1
    Person.objects.filter(pk=person.pk).update(id_number_cipher=bytes(token))
    person.refresh_from_db()
    with pytest.raises(DecryptionError):
        person.reveal_id_number()


def test_p5_generated_keys_are_32_random_bytes(db):
    """Issue 7.5: `keys generate` prints a fresh key, in the keyring's format."""
    first, second = _out("keys", "generate").strip(), _out("keys", "generate").strip()
    assert first != second and len(base64.b64decode(first)) == 32
    assert _out("keys", "generate", "--version", "3").startswith("3:")


def test_p5_keys_are_not_stored_in_the_database(register_inflow, settings):
    """Issue 7.5: no table holds the field, index or audit key, in text or in bytes."""
    register_inflow()
    secrets = [
        settings.FIELD_ENCRYPTION_KEYS.split(":", 1)[1],
        settings.BLIND_INDEX_KEY,
        settings.AUDIT_HMAC_KEY,
    ]
    raw = [base64.b64decode(s) for s in secrets]
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    blob = (
                        bytes(value)
                        if isinstance(value, (bytes, memoryview))
                        else str(value).encode()
                    )
                    assert not any(s.encode() in blob for s in secrets), table
                    assert not any(r in blob for r in raw), table
    assert backup.fingerprint()  # the restore drill reads the same tables


def test_p5_every_encrypted_column_is_known_to_rotation():
    """Issue 7.5: a BinaryField holding ciphertext that rotation does not know would be left on
    an old key forever."""
    from django.apps import apps
    from django.db import models

    known = {(label.lower(), name) for label, name, _ in rotation.ENCRYPTED_FIELDS}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.BinaryField) and field.name.endswith("_cipher"):
                assert (model._meta.label_lower, field.name) in known, field
