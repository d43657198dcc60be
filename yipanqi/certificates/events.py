"""The certificate timeline: one function per event type (STYLE.md, timeline event rows)."""

from yipanqi.certificates.models import CertificateEvent, CertificateEventType


def _event(type_, *, person, certificate=None, at, actor, unit, **data) -> CertificateEvent:
    return CertificateEvent.objects.create(
        person=person,
        certificate=certificate,
        at=at,
        type=type_,
        actor=actor,
        unit=unit,
        data=data,
    )


def certificate_issued(certificate, *, at, actor, proxy: bool) -> CertificateEvent:
    return _event(
        CertificateEventType.ISSUED,
        person=certificate.person,
        certificate=certificate,
        at=at,
        actor=actor,
        unit=certificate.issuer,
        number=certificate.number,
        proxy=proxy,
    )


def certificate_renewed(certificate, *, at, actor, notice_id: int | None) -> CertificateEvent:
    return _event(
        CertificateEventType.RENEWED,
        person=certificate.person,
        certificate=certificate,
        at=at,
        actor=actor,
        unit=certificate.issuer,
        number=certificate.number,
        old_number=certificate.renewed_from.number,
        notice=notice_id,
    )


def certificate_revoked(certificate, *, at, actor, unit, notice_id: int | None):
    return _event(
        CertificateEventType.REVOKED,
        person=certificate.person,
        certificate=certificate,
        at=at,
        actor=actor,
        unit=unit,
        number=certificate.number,
        notice=notice_id,
    )


def certificate_verified(verification, *, at) -> CertificateEvent:
    return _event(
        CertificateEventType.VERIFIED,
        person=verification.certificate.person,
        certificate=verification.certificate,
        at=at,
        actor=verification.verified_by,
        unit=verification.unit,
        kind=verification.kind,
        verified_on=verification.verified_on.isoformat(),
        late=verification.late,
    )


def status_changed(verification, *, at) -> CertificateEvent:
    return _event(
        CertificateEventType.STATUS_CHANGED,
        person=verification.certificate.person,
        certificate=verification.certificate,
        at=at,
        actor=verification.verified_by,
        unit=verification.unit,
        marital_status=[verification.marital_status_before, verification.marital_status_after],
        children=[verification.children_before, verification.children_after],
        notice=verification.change_notice_id,
    )


def interim_issued(interim, *, at) -> CertificateEvent:
    return _event(
        CertificateEventType.INTERIM_ISSUED,
        person=interim.person,
        at=at,
        actor=interim.issued_by,
        unit=interim.issuer,
        number=interim.number,
        window_ends_on=interim.window_ends_on.isoformat(),
        notice=interim.notice_id,
    )
