"""The issue's check scenario: a woman's certificate issued in 四川, verified in 广东 on day 29
and on day 31 (late, counted), renewed after three years, revoked and checked by QR."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.audit.models import AuditEvent
from yipanqi.certificates import selectors, services
from yipanqi.certificates.models import (
    Certificate,
    CertificateStatus,
    PublicState,
    VerificationKind,
)
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.exchange.models import Request, RequestType

from .conftest import ARRIVAL, at


def test_issued_by_home_township_free_numbered_three_years(woman, issue, township_operator):
    """R-CERT-1, R-CERT-2, R-CERT-5: the home township issues; unique number; three years."""
    certificate = issue(woman, children=0)
    assert certificate.issuer_id == SANTAI_TOWNSHIP
    assert certificate.number.startswith("5107222026")
    assert certificate.valid_until == dt.date(2029, 2, 20)
    assert not certificate.long_term
    assert certificate.public_state(dt.date(2026, 3, 1)) == PublicState.VALID
    assert AuditEvent.objects.filter(object_type="certificate", object_id=certificate.pk).exists()
    assert woman.certificate_events.filter(type="issued").count() == 1


def test_numbers_are_unique_per_issuer_and_year(woman, second_woman, issue):
    """R-CERT-5: every certificate has its own number."""
    first, second = issue(woman), issue(second_woman)
    assert first.number != second.number
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_only_home_township_issues(woman, village_worker, other_county_admin):
    """R-CERT-1: the residence, or anyone else, cannot issue her certificate."""
    with pytest.raises(Rejected):
        services.issue_certificate(woman.pk, acting_user=village_worker, now=at(ARRIVAL))
    with pytest.raises(NotFound):
        services.issue_certificate(woman.pk, acting_user=other_county_admin, now=at(ARRIVAL))
    assert not Certificate.objects.exists()


def test_second_valid_certificate_is_refused(woman, issue):
    """R-CERT-5: one valid certificate at a time; a second is refused in plain words."""
    first = issue(woman)
    with pytest.raises(Rejected) as refused:
        issue(woman)
    assert first.number in refused.value.messages()[0]
    assert Certificate.objects.count() == 1


def test_verified_on_day_29_is_on_time_and_day_31_is_late_and_counted(
    woman, second_woman, issue, village_worker
):
    """R-CERT-3: verified within 30 days of arrival; a verification on day 31 is late and
    counted against the residence."""
    first, second = issue(woman), issue(second_woman)
    on_time = services.verify_certificate(
        first.pk,
        verified_on=ARRIVAL + dt.timedelta(days=29),
        acting_user=village_worker,
        now=at(ARRIVAL + dt.timedelta(days=31)),
    )
    late = services.verify_certificate(
        second.pk,
        verified_on=ARRIVAL + dt.timedelta(days=31),
        acting_user=village_worker,
        now=at(ARRIVAL + dt.timedelta(days=31)),
    )
    assert on_time.kind == VerificationKind.ARRIVAL and not on_time.late
    assert late.kind == VerificationKind.ARRIVAL and late.late
    assert on_time.verified_by == village_worker and on_time.unit_id == NANSHAN_VILLAGE
    assert late.days_after_arrival == 31
    counts = selectors.scope_counts(village_worker, year=2026, today=dt.date(2026, 4, 10))
    assert (counts.verifications, counts.verifications_late) == (2, 1)
    assert list(selectors.late_verifications(village_worker, year=2026)) == [late]


def test_then_yearly_while_she_stays(woman, issue, village_worker):
    """R-CERT-3: after the arrival check, once each assessment year."""
    certificate = issue(woman)
    services.verify_certificate(
        certificate.pk, verified_on=dt.date(2026, 3, 10), acting_user=village_worker,
        now=at(dt.date(2026, 3, 10)),
    )  # fmt: skip
    overview = selectors.certificate_overview(woman, dt.date(2027, 1, 5))
    assert [i.due_on for i in overview.next_due] == [dt.date(2027, 12, 31)]
    yearly = services.verify_certificate(
        certificate.pk, verified_on=dt.date(2027, 6, 1), acting_user=village_worker,
        now=at(dt.date(2027, 6, 1)),
    )  # fmt: skip
    assert yearly.kind == VerificationKind.ANNUAL and not yearly.late
    assert yearly.assessment_year == 2027


def test_change_of_status_recorded_and_sent_home(woman, issue, village_worker, township_operator):
    """R-CERT-3: a change of marital or childbearing status is recorded and notified home."""
    certificate = issue(woman, children=0)
    verification = services.verify_certificate(
        certificate.pk,
        verified_on=dt.date(2026, 3, 20),
        marital_status="divorced",
        children=1,
        acting_user=village_worker,
        now=at(dt.date(2026, 3, 20)),
    )
    assert verification.changed
    notice = verification.change_notice
    assert notice.type == RequestType.CERTIFICATE_CHANGE
    assert (notice.sender_id, notice.receiver_id) == (NANSHAN_VILLAGE, SANTAI_TOWNSHIP)
    assert notice.payload["children"] == [0, 1]
    certificate.refresh_from_db()
    woman.refresh_from_db()
    assert (certificate.marital_status, certificate.children) == ("divorced", 1)
    assert woman.marital_status == "divorced"
    # The home township sees it in its inbox.
    assert (
        Request.objects.visible_to(township_operator)
        .inbox(SANTAI_TOWNSHIP)
        .filter(pk=notice.pk)
        .exists()
    )


def test_verification_needs_the_residence_and_a_sensible_date(
    woman, issue, township_operator, village_worker
):
    """R-CERT-3: only the residence verifies; not before arrival, not in the future."""
    certificate = issue(woman)
    with pytest.raises(Rejected):
        services.verify_certificate(
            certificate.pk, acting_user=township_operator, now=at(dt.date(2026, 3, 5))
        )
    with pytest.raises(Rejected) as refused:
        services.verify_certificate(
            certificate.pk, verified_on=dt.date(2026, 3, 1), acting_user=village_worker,
            now=at(dt.date(2026, 3, 5)),
        )  # fmt: skip
    assert "before her arrival" in refused.value.messages()[0]
    with pytest.raises(Rejected):
        services.verify_certificate(
            certificate.pk, verified_on=dt.date(2026, 3, 9), acting_user=village_worker,
            now=at(dt.date(2026, 3, 5)),
        )  # fmt: skip
    assert not certificate.verifications.exists()


def test_renewed_after_three_years_and_the_residence_is_told(
    woman, issue, township_operator, village_worker
):
    """R-CERT-2: on expiry the home township renews on her ID card and the old certificate and
    notifies the residence."""
    old = issue(woman, day=dt.date(2026, 2, 20))
    three_years = dt.date(2029, 2, 21)
    assert old.public_state(three_years) == PublicState.EXPIRED
    with pytest.raises(Rejected) as refused:
        services.renew_certificate(
            old.pk, id_number="510722199504120000", old_number=old.number,
            acting_user=township_operator, now=at(three_years),
        )  # fmt: skip
    assert "id_number" in refused.value.errors
    renewed = services.renew_certificate(
        old.pk,
        id_number=woman.reveal_id_number().lower(),
        old_number=old.number,
        acting_user=township_operator,
        now=at(three_years),
    )
    old.refresh_from_db()
    assert old.status == CertificateStatus.REPLACED
    assert renewed.renewed_from == old
    assert renewed.valid_until == dt.date(2032, 2, 21)
    assert renewed.public_state(three_years) == PublicState.VALID
    notice = Request.objects.get(type=RequestType.CERTIFICATE_NOTICE)
    assert (notice.sender_id, notice.receiver_id) == (SANTAI_TOWNSHIP, NANSHAN_VILLAGE)
    assert notice.payload["event"] == "renewed"
    assert notice.payload["number"] == renewed.number
    # The residence sees what is due next: its yearly verification, nothing to renew.
    overview = selectors.certificate_overview(woman, three_years)
    assert overview.certificate == renewed


def test_renewal_is_refused_long_before_expiry(woman, issue, township_operator):
    """R-CERT-2: renewal opens 90 days before expiry."""
    old = issue(woman)
    with pytest.raises(Rejected) as refused:
        services.renew_certificate(
            old.pk, id_number=woman.reveal_id_number(), old_number=old.number,
            acting_user=township_operator, now=at(dt.date(2027, 1, 1)),
        )  # fmt: skip
    assert "2028-11-22" in refused.value.messages()[0]
    assert Certificate.objects.count() == 1


def test_long_term_only_where_the_province_grants_it(woman, issue, sichuan_admin):
    """R-CERT-2: long-term validity where the issuing province's rules grant it."""
    with pytest.raises(Rejected) as refused:
        issue(woman, long_term=True)
    assert "long_term" in refused.value.errors
    services.set_long_term_validity(
        "51", allowed=True, effective_from=dt.date(2026, 1, 1), acting_user=sichuan_admin
    )
    certificate = issue(woman, long_term=True)
    assert certificate.long_term and certificate.valid_until is None
    assert certificate.public_state(dt.date(2040, 1, 1)) == PublicState.VALID
    assert not certificate.can_renew(dt.date(2040, 1, 1))


def test_revoked_certificate_shows_revoked_by_qr(woman, issue, township_operator, client):
    """R-CERT-5: the QR check says revoked after revocation, without personal data."""
    certificate = issue(woman)
    url = f"/certificates/check/{certificate.token}/"
    page = client.get(url)
    assert page.status_code == 200 and b'data-state="valid"' in page.content
    services.revoke_certificate(
        certificate.pk, reason="issued with a wrong ID", acting_user=township_operator,
        now=at(dt.date(2026, 4, 1)),
    )  # fmt: skip
    page = client.get(url)
    text = page.content.decode()
    assert 'data-state="revoked"' in text
    assert woman.name not in text and woman.id_number_masked not in text
    assert certificate.number not in text
    assert client.get("/certificates/check/not-a-token/").status_code == 404
    # The residence was told.
    assert Request.objects.filter(
        type=RequestType.CERTIFICATE_NOTICE, payload__event="revoked"
    ).exists()
