"""Re-encrypting personal data under the newest field key, in batches, while the site runs.

Operator's procedure (SECURITY.md): add a new version to YIPANQI_FIELD_KEYS ("1:<old>,2:<new>"),
restart (new values are written with version 2; both versions decrypt), run
`yipanqi keys rotate` until `yipanqi keys status` shows nothing left on the old version, then
drop the old key from the environment. Each batch is a short transaction; a row changed by a
user in the meantime is left alone (conditional update) and picked up by the next run.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction

from yipanqi.core.crypto import FieldCipher, field_cipher

# Every encrypted column: (app_label.Model, field, associated data). Add yours here.
ENCRYPTED_FIELDS = [
    ("people.Person", "id_number_cipher", b"person.id"),
    ("people.Person", "phone_cipher", b"person.phone"),
    ("grievances.Complaint", "contact_cipher", b"complaint.contact"),
    ("feeds.Lead", "id_number_cipher", b"lead.id"),
]


@dataclass
class RotationReport:
    checked: int = 0
    rotated: int = 0
    skipped_changed: int = 0
    by_version: dict[str, dict[int, int]] = field(default_factory=dict)


def _fields():
    for label, name, associated in ENCRYPTED_FIELDS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        yield label, model, name, associated


def status() -> dict[str, dict[int, int]]:
    """How many values each key version holds, per encrypted column."""
    counts: dict[str, dict[int, int]] = {}
    for label, model, name, _associated in _fields():
        per_version: dict[int, int] = {}
        values = model.objects.exclude(**{f"{name}__isnull": True}).values_list(name, flat=True)
        for token in values.iterator(chunk_size=5000):
            if token:
                version = FieldCipher.version_of(token)
                per_version[version] = per_version.get(version, 0) + 1
        counts[f"{label}.{name}"] = per_version
    return counts


def rotate(batch_size: int = 500, cipher: FieldCipher | None = None) -> RotationReport:
    """Re-encrypt every value not under the current key version; returns what it did."""
    cipher = cipher or field_cipher()
    report = RotationReport()
    for _label, model, name, associated in _fields():
        last_pk = None
        while True:
            rows = model.objects.exclude(**{f"{name}__isnull": True}).order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.values_list("pk", name)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1][0]
            with transaction.atomic():
                for pk, token in batch:
                    report.checked += 1
                    if not token or FieldCipher.version_of(token) == cipher.current_version:
                        continue
                    # Decrypting first: a tampered value raises DecryptionError, never re-encrypts.
                    fresh = cipher.encrypt(
                        cipher.decrypt(bytes(token), associated=associated), associated=associated
                    )
                    changed = model.objects.filter(pk=pk, **{name: token}).update(**{name: fresh})
                    if changed:
                        report.rotated += 1
                    else:
                        report.skipped_changed += 1
    return report
