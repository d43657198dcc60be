"""Demo certificates and verifications: most women living away from home hold a marriage and
childbearing certificate from her home township, and most residences verified it, some late,
so the issuance rate (办证率) and verification rate (验证率) of R-STAT-1 show real figures.

Rows are what `certificates.services` writes — a numbered certificate (R-CERT-5, the number
under the issuing county and year), valid three years (R-CERT-2), with the `issued` event; a
verification (R-CERT-3) for her stay with its 30-day due date, `late` when after it, by the
residence village, with the `verified` event; a yearly re-check for stays that began before this
year — but bulk-written raw (executemany on SQLite, COPY on PostgreSQL, as the demo's persons;
the demo has no clerk of every home township), once per demo database,
then counted set-based (`ledger.counters.recount`), so the counters agree with a recount.
Deterministic for a seed (the public check token too: a demo's certificates are not secret).
"""

import base64
import datetime as dt
import json
import random as random_module
import zoneinfo

from django.db import connection, transaction
from django.utils import timezone

from yipanqi.core.rawrows import continue_identity, write_rows

# Of the women registered away from home (inflow or outflow), this share holds a certificate.
CERTIFIED_SHARE = 0.95
# Of her stays that began over 30 days ago, verified within the 30 days / after them.
ON_TIME_SHARE = 0.84
LATE_SHARE = 0.09
# A stay that began in an earlier year was verified again this year (R-CERT-3, yearly).
ANNUAL_SHARE = 0.75
CERTIFICATE_COLUMNS = (
    "id", "number", "token", "person_id", "issuer_id", "issued_by_id", "issued_on",
    "valid_until", "long_term", "marital_status", "children", "proxy_name", "proxy_relation",
    "proxy_interim_id", "renewed_from_id", "status", "revoked_at", "revoked_by_id",
    "revoked_reason", "created_at",
)  # fmt: skip
VERIFICATION_COLUMNS = (
    "certificate_id", "registration_id", "unit_id", "verified_by_id", "verified_on", "kind",
    "assessment_year", "due_on", "late", "marital_status_before", "marital_status_after",
    "children_before", "children_after", "change_notice_id", "note", "created_at",
)  # fmt: skip
EVENT_COLUMNS = ("person_id", "certificate_id", "at", "type", "actor_id", "unit_id", "data")
_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def _moment(day: dt.date, random) -> dt.datetime:
    """A time in office hours on that day, Beijing time."""
    minutes = 8 * 60 + 30 + int(random.random() * 8 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=_ZONE)


def _adult_on(birth: dt.date) -> dt.date:
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # 29 February
        return birth.replace(year=birth.year + 18, day=28)


def add_demo_certificates(*, verified_by, seed: int, today: dt.date | None = None) -> tuple:
    """Add the demo's certificates and verifications; (certificates, verifications) added,
    (0, 0) when the database holds certificates already."""
    from yipanqi.certificates.models import (
        ARRIVAL_VERIFICATION_DAYS,
        VALIDITY_YEARS,
        Certificate,
        CertificateEvent,
        CertificateEventType,
        Verification,
        VerificationKind,
        add_years,
    )
    from yipanqi.core.planner import refresh_statistics
    from yipanqi.ledger.counters import recount
    from yipanqi.people.models import Person, Registration, Sex

    if Certificate.objects.exists():
        return 0, 0
    today = today or timezone.localdate()
    random = random_module.Random(f"certificates/{seed}")
    women = {
        pk: (home, marital, birth)
        for pk, home, marital, birth in Person.objects.filter(sex=Sex.FEMALE)
        .order_by("pk")
        .values_list("pk", "home_id", "marital_status", "birth_date")
    }
    stays: dict[int, list] = {}
    left_on: dict[int, dt.date] = {}
    for pk, person, kind, residence, arrival, status, closed in (
        Registration.objects.filter(person__sex=Sex.FEMALE)
        .order_by("pk")
        .values_list(
            "pk", "person_id", "kind", "residence_id", "arrival_date", "status", "closed_on"
        )
    ):
        left_on[person] = min(arrival, left_on.get(person, arrival))
        if kind == "inflow":
            stays.setdefault(person, []).append((pk, residence, arrival, status, closed))
    certificates, issued = [], {}
    for person, left in left_on.items():
        if random.random() >= CERTIFIED_SHARE:
            continue
        home, marital, birth = women[person]
        # R-CERT-1: before or after she leaves, free; from her 18th birthday.
        day = left + dt.timedelta(days=int(random.random() * 75) - 45)
        day = min(max(day, _adult_on(birth)), today)
        if day < _adult_on(birth):
            continue
        certificates.append(
            Certificate(
                token=base64.urlsafe_b64encode(random.randbytes(18)).decode(),
                person_id=person,
                issuer_id=home[:9],
                issued_on=day,
                valid_until=add_years(day, VALIDITY_YEARS),
                marital_status=marital,
                children=0 if marital == "unmarried" else int(random.random() * 2.4),
                created_at=_moment(day, random),
            )
        )
    # R-CERT-5: numbered under the issuing county and year, in the order of issue.
    certificates.sort(key=lambda c: (c.issued_on, c.person_id))
    sequences: dict[str, int] = {}
    for certificate in certificates:
        prefix = f"{certificate.issuer_id[:6]}{certificate.issued_on.year}"
        sequences[prefix] = sequences.get(prefix, 0) + 1
        certificate.number = f"{prefix}{sequences[prefix]:05d}"
    verifications = []
    tables = (
        Certificate._meta.db_table,
        Verification._meta.db_table,
        CertificateEvent._meta.db_table,
    )
    sqlite = connection.vendor == "sqlite"

    def at(value: dt.datetime):
        return connection.ops.adapt_datetimefield_value(value) if sqlite else value

    with transaction.atomic(), connection.cursor() as cursor:
        if not sqlite:
            cursor.execute(f"LOCK TABLE {tables[0]} IN SHARE ROW EXCLUSIVE MODE")  # noqa: S608
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {tables[0]}")  # noqa: S608
        next_id = cursor.fetchone()[0] + 1
        for certificate in certificates:
            certificate.pk, next_id = next_id, next_id + 1
            issued[certificate.person_id] = certificate
        # Raw rows as the demo writes its persons (the ORM's bulk_create costs per field).
        write_rows(tables[0], CERTIFICATE_COLUMNS, [
            (c.pk, c.number, c.token, c.person_id, c.issuer_id, None, c.issued_on.isoformat(),
             c.valid_until.isoformat(), False, c.marital_status, c.children, "", "", None, None,
             "valid", None, None, "", at(c.created_at))
            for c in certificates
        ])  # fmt: skip
        continue_identity(tables[0], next_id - 1)
        events = [
            (c.person_id, c.pk, at(c.created_at), CertificateEventType.ISSUED.value, None,
             c.issuer_id, json.dumps({"number": c.number, "proxy": False}))
            for c in certificates
        ]  # fmt: skip
        for person, certificate in issued.items():
            for pk, residence, arrival, status, closed in stays.get(person, []):
                verifications.extend(
                    _verifications(
                        random, certificate, pk, residence, arrival, status, closed, today,
                        verified_by, ARRIVAL_VERIFICATION_DAYS, Verification, VerificationKind,
                    )
                )  # fmt: skip
        write_rows(tables[1], VERIFICATION_COLUMNS, [
            (v.certificate.pk, v.registration_id, v.unit_id, verified_by.pk,
             v.verified_on.isoformat(), v.kind, v.assessment_year, v.due_on.isoformat(), v.late,
             v.marital_status_before, v.marital_status_after, v.children_before,
             v.children_after, None, "", at(v.created_at))
            for v in verifications
        ])  # fmt: skip
        events.extend(
            (v.certificate.person_id, v.certificate.pk, at(v.created_at),
             CertificateEventType.VERIFIED.value, verified_by.pk, v.unit_id,
             json.dumps({"kind": v.kind, "verified_on": v.verified_on.isoformat(),
                         "late": v.late}))
            for v in verifications
        )  # fmt: skip
        write_rows(tables[2], EVENT_COLUMNS, events)
        if certificates:
            # R-STAT-1: issuance and verification counted again from the rows, set-based.
            recount("outflow_women")
            recount("arrival_verifications")
            refresh_statistics(tables)
    return len(certificates), len(verifications)


def _verifications(
    random, certificate, pk, residence, arrival, status, closed, today, verified_by, days,
    Verification, VerificationKind,
):  # fmt: skip
    """The arrival check of one stay (on time, late or not yet) and this year's re-check."""
    due = arrival + dt.timedelta(days=days)
    roll = random.random()
    if roll < ON_TIME_SHARE:
        day = arrival + dt.timedelta(days=1 + int(random.random() * days))
    elif roll < ON_TIME_SHARE + LATE_SHARE:
        day = due + dt.timedelta(days=1 + int(random.random() * 90))
    else:
        return []
    day = max(day, certificate.issued_on)
    last = min(today, closed) if status == "closed" and closed else today
    if day > last or day > certificate.valid_until:
        return []  # not yet (a new arrival), or she left before it
    rows = [_verification(random, certificate, pk, residence, day, due, verified_by,
                          VerificationKind.ARRIVAL, Verification)]  # fmt: skip
    new_year = dt.date(today.year, 1, 1)
    if status == "active" and day < new_year and random.random() < ANNUAL_SHARE:
        again = new_year + dt.timedelta(days=9 + int(random.random() * 150))
        if again <= today and again <= certificate.valid_until:
            rows.append(
                _verification(random, certificate, pk, residence, again,
                              dt.date(today.year, 12, 31), verified_by, VerificationKind.ANNUAL,
                              Verification)
            )  # fmt: skip
    return rows


def _verification(random, certificate, pk, residence, day, due, verified_by, kind, Verification):
    return Verification(
        certificate=certificate,
        registration_id=pk,
        unit_id=residence,
        verified_by=verified_by,
        verified_on=day,
        kind=kind,
        assessment_year=day.year,
        due_on=due,
        late=day > due,  # R-CERT-3: after the 30 days, counted against the residence
        marital_status_before=certificate.marital_status,
        marital_status_after=certificate.marital_status,
        children_before=certificate.children,
        children_after=certificate.children,
        created_at=_moment(day, random),
    )
