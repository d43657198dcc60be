"""R-CERT-4: 60 days and an interim certificate for a woman without one, with the home side
told (R-EX-2); R-CERT-1: a family member applies with that interim certificate."""

import datetime as dt

import pytest

from conftest import NANSHAN_TOWNSHIP, SANTAI_TOWNSHIP
from yipanqi.certificates import selectors, services
from yipanqi.certificates.models import Certificate
from yipanqi.core.errors import Rejected
from yipanqi.exchange.models import RequestStatus, RequestType

from .conftest import at


def test_interim_certificate_gives_60_days_and_tells_home(woman, residence_township):
    """R-CERT-4, R-EX-2: the residence township issues the interim certificate and the home
    township gets a no-certificate notice with a 15-working-day deadline."""
    interim = services.issue_interim_certificate(
        woman.pk, acting_user=residence_township, now=at(dt.date(2026, 3, 10))
    )
    assert interim.issuer_id == NANSHAN_TOWNSHIP
    assert interim.window_ends_on == dt.date(2026, 5, 9)
    notice = interim.notice
    assert notice.type == RequestType.NO_CERTIFICATE_NOTICE
    assert (notice.sender_id, notice.receiver_id) == (NANSHAN_TOWNSHIP, SANTAI_TOWNSHIP)
    assert notice.deadline_days == 15
    due = selectors.certificate_overview(woman, dt.date(2026, 3, 11)).next_due
    assert due[0].owner.code == SANTAI_TOWNSHIP and due[0].due_on == dt.date(2026, 5, 9)
    assert not due[0].overdue
    assert selectors.certificate_overview(woman, dt.date(2026, 5, 10)).next_due[0].overdue


def test_interim_only_by_residence_township_and_not_twice(
    woman, residence_township, village_worker
):
    """R-CERT-4: the residence township issues it, once per window."""
    with pytest.raises(Rejected):
        services.issue_interim_certificate(woman.pk, acting_user=village_worker)
    services.issue_interim_certificate(
        woman.pk, acting_user=residence_township, now=at(dt.date(2026, 3, 10))
    )
    with pytest.raises(Rejected) as refused:
        services.issue_interim_certificate(
            woman.pk, acting_user=residence_township, now=at(dt.date(2026, 3, 12))
        )
    assert "2026-05-09" in refused.value.messages()[0]


def test_proxy_application_with_the_interim_certificate(woman, residence_township, issue):
    """R-CERT-1: her husband applies for her at home with the residence's interim certificate;
    issuing answers the residence's no-certificate notice."""
    interim = services.issue_interim_certificate(
        woman.pk, acting_user=residence_township, now=at(dt.date(2026, 3, 10))
    )
    with pytest.raises(Rejected) as refused:
        issue(woman, day=dt.date(2026, 3, 16),
              proxy=services.ProxyInput("张伟", "spouse", "L4403052026099"))  # fmt: skip
    assert "proxy_interim_number" in refused.value.errors
    assert not Certificate.objects.exists()
    certificate = issue(
        woman,
        day=dt.date(2026, 3, 16),
        proxy=services.ProxyInput("张伟", "spouse", interim.number.lower()),
    )
    assert certificate.proxy_name == "张伟" and certificate.proxy_interim == interim
    interim.notice.refresh_from_db()
    assert interim.notice.status == RequestStatus.ANSWERED
    assert certificate.number in interim.notice.answer


def test_no_certificate_for_men_or_outside_childbearing_age(register_inflow, township_operator):
    """R-CERT-1: adult women of childbearing age; men are recorded as spouses."""
    from conftest import id_for

    wife = register_inflow().person
    man = register_inflow(id_number=id_for(seq=9, sex="M"), name="张伟", spouse_id=wife.pk).person
    with pytest.raises(Rejected):
        services.issue_certificate(man.pk, acting_user=township_operator)
    older = register_inflow(id_number=id_for(birth=dt.date(1977, 6, 1), seq=5)).person
    with pytest.raises(Rejected) as refused:
        services.issue_certificate(
            older.pk, acting_user=township_operator, now=at(dt.date(2027, 7, 1))
        )
    assert "18 to 49" in refused.value.messages()[0]


def test_delegated_village_issues(woman, township_operator):
    """R-CERT-1: a village the home township delegated issues certificates for its people."""
    from conftest import SANTAI_VILLAGE, make_user

    village = make_user("vic", "village_worker", SANTAI_VILLAGE)
    with pytest.raises(Rejected):
        services.issue_certificate(woman.pk, acting_user=village)
    delegation = services.delegate_issuing(SANTAI_VILLAGE, acting_user=township_operator)
    certificate = services.issue_certificate(woman.pk, acting_user=village)
    assert certificate.issuer_id == SANTAI_VILLAGE
    services.end_delegation(delegation.pk, acting_user=township_operator)
    assert not services.may_issue(village, woman)
