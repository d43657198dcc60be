"""The certificates' counted facts (R-STAT-1 issuance and verification rates), defined once
(see ledger/families.py) and registered with the ledger by CertificatesConfig.ready(); and
the issue and revocation that change them."""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q

from yipanqi.ledger.counters import apply_delta
from yipanqi.ledger.families import Count, Family
from yipanqi.people.counted import is_woman


def _has_valid_certificate(registration) -> bool:
    from yipanqi.certificates.models import Certificate, CertificateStatus

    return Certificate.objects.filter(
        person_id=registration.person_id, status=CertificateStatus.VALID
    ).exists()


def _valid_certificate_q() -> Q:
    from yipanqi.certificates.models import Certificate, CertificateStatus

    return Q(
        Exists(
            Certificate.objects.filter(
                person_id=OuterRef("person_id"), status=CertificateStatus.VALID
            )
        )
    )


OUTFLOW_WOMEN = Family(
    name="outflow_women",
    model_label="people.Registration",
    base=Q(kind="outflow", person__sex="F"),
    base_test=lambda r: r.kind == "outflow" and is_woman(r),
    # R-CERT-1: the home side issues, before or after she leaves: month of departure.
    division="home_id",
    month_field="arrival_date",
    counts=(
        Count("reg_out.women", Q(), lambda r: True),
        # A certificate that is neither revoked nor replaced by its renewal (R-CERT-2).
        Count("reg_out.women_certified", Q(has_valid_certificate=True), _has_valid_certificate),
    ),
    annotations=lambda: {"has_valid_certificate": _valid_certificate_q()},
    reads_other_tables=True,  # the certificate of each woman
)

ARRIVAL_VERIFICATIONS = Family(
    name="arrival_verifications",
    model_label="certificates.Verification",
    base=Q(kind="arrival", registration__kind="inflow", registration__person__sex="F"),
    base_test=lambda v: (
        v.kind == "arrival" and v.registration.kind == "inflow" and is_woman(v.registration)
    ),
    # Counted where and when her stay is counted (INFLOW_WOMEN), so it is a part of it.
    division="registration__residence_id",
    month_field="registration__arrival_date",
    counts=(
        # R-CERT-3: verified within 30 days of arrival.
        Count("ver.arrival_on_time", Q(late=False), lambda v: not v.late),
        Count("ver.arrival_late", Q(late=True), lambda v: bool(v.late)),
    ),
    person_path="registration__person",
    part_of="registration",
)

FAMILIES = (OUTFLOW_WOMEN, ARRIVAL_VERIFICATIONS)


def certificate_issued(certificate) -> int:
    """R-CERT-1: her outflow registrations now count as holding a valid certificate (issuing
    requires that she has none; a renewal replaces one valid certificate with another)."""
    return _certificate_holder(certificate, +1)


def certificate_revoked(certificate) -> int:
    """R-CERT-2: a revoked certificate no longer counts (one valid certificate per person)."""
    return _certificate_holder(certificate, -1)


def _certificate_holder(certificate, sign: int) -> int:
    from yipanqi.people.models import Registration

    delta: dict = defaultdict(int)
    rows = Registration.objects.filter(OUTFLOW_WOMEN.base, person_id=certificate.person_id)
    for registration in rows.select_related("person"):
        month = OUTFLOW_WOMEN.month_of(registration)
        delta[("reg_out.women_certified", "", registration.home_id, month)] += sign
    return apply_delta(delta)
