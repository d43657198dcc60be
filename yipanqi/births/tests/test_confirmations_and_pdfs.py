"""Issue 12.6: the birth timeline records each home township's confirmation (R-BIRTH-2 step 2:
who, when, which unit, however it was answered); the family gets a printable registration and
the interim certificate of marital status (R-CERT-4) a printable form too, both in the
certificate's layout. The PDFs are read back with pdftotext."""

import datetime as dt
import json
import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import translation

from conftest import SANTAI_TOWNSHIP
from yipanqi.accounts.models import ApiToken
from yipanqi.audit.models import Action, AuditEvent
from yipanqi.births import services
from yipanqi.births.models import BirthEvent, BirthEventType
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.core.testing import assert_chinese_font
from yipanqi.exchange import services as exchange
from yipanqi.exchange.models import Request, RequestType

from .conftest import ALL_DOCUMENTS, HUSBAND_HOME, at

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def _api(user) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


@pytest.fixture
def asked(apply, village_worker):
    registration = apply()
    services.ask_home_townships(
        registration.pk, acting_user=village_worker, now=at(dt.date(2026, 3, 4))
    )
    return registration


def _confirmations():
    return {
        r.receiver_id: r
        for r in Request.objects.filter(type=RequestType.BIRTH_CONFIRMATION).order_by("pk")
    }


def test_r_birth_2_each_confirmation_is_on_the_timeline_however_answered(
    client, asked, township_operator, husband_township
):
    """One answered on the registration page, one from the exchange (inbox or API): both are
    timeline events with who answered, when and from which township."""
    requests = _confirmations()
    client.force_login(township_operator)
    response = client.post(
        f"/births/{asked.pk}/confirm/{requests[SANTAI_TOWNSHIP].pk}/",
        {"answer": "初婚，未生育。"},
    )
    assert response.status_code == 302
    exchange.answer_request(
        requests[HUSBAND_HOME].pk,
        answer="初婚。",
        acting_user=husband_township,
        now=at(dt.date(2026, 3, 9)),  # within the 15 working days
    )
    events = {e.unit_id: e for e in asked.events.filter(type=BirthEventType.CONFIRMED)}
    assert {code: e.actor_id for code, e in events.items()} == {
        SANTAI_TOWNSHIP: township_operator.pk,
        HUSBAND_HOME: husband_township.pk,
    }
    # Answered today on the page, months after it was due: recorded as late.
    assert (events[SANTAI_TOWNSHIP].data["late"], events[HUSBAND_HOME].data["late"]) == (
        True,
        False,
    )
    assert events[HUSBAND_HOME].at == at(dt.date(2026, 3, 9))
    assert list(events[SANTAI_TOWNSHIP].requests.all()) == [requests[SANTAI_TOWNSHIP]]

    page = client.get(f"/births/{asked.pk}/").content.decode()
    assert page.count("Home township confirmed") == 2
    assert "初婚，未生育。" in page and "hank" in page
    api = _api(township_operator).get(f"/api/v1/births/registrations/{asked.pk}").json()
    assert sorted(e["unit_code"] for e in api["events"] if e["type"] == "confirmed") == sorted(
        [SANTAI_TOWNSHIP, HUSBAND_HOME]
    )


def test_confirmations_answered_before_are_added_by_the_migration(asked, township_operator):
    """Migration 0006 gives earlier answers their timeline event, once."""
    from importlib import import_module

    from django.apps import apps

    request = _confirmations()[SANTAI_TOWNSHIP]
    exchange.answer_request(request.pk, answer="属实", acting_user=township_operator)
    event = BirthEvent.objects.get(type=BirthEventType.CONFIRMED)
    event.requests.clear()
    event.delete()  # as it was before issue 12.6
    backfill = import_module("yipanqi.births.migrations.0006_confirmation_events").backfill
    backfill(apps, None)
    backfill(apps, None)
    restored = BirthEvent.objects.get(type=BirthEventType.CONFIRMED)
    assert (restored.actor_id, restored.unit_id) == (township_operator.pk, SANTAI_TOWNSHIP)
    assert list(restored.requests.all()) == [request]


def _issued_at_home(woman, user, day=dt.date(2026, 5, 6)):
    return services.register_at_home(
        services.BirthInput(
            woman_id=woman.pk,
            husband_name="张伟",
            husband_home_code=HUSBAND_HOME,
            documents=list(ALL_DOCUMENTS),
            idempotency_key="pdf-1",
            child_order=2,
        ),
        acting_user=user,
        now=at(day),
    )


def test_the_family_gets_a_printable_registration(client, woman, township_operator):
    """Same font and layout as the certificate; her whole ID, the steps, her certificate's
    check code when she holds one; printing it is audited; web and API alike."""
    from yipanqi.certificates import services as certificates

    certificate = certificates.issue_certificate(
        woman.pk, acting_user=township_operator, now=at(dt.date(2026, 4, 1))
    )
    registration = _issued_at_home(woman, township_operator)
    client.force_login(township_operator)
    page = client.get(f"/births/{registration.pk}/").content.decode()
    assert f'href="/births/{registration.pk}/pdf/"' in page
    response = client.get(f"/births/{registration.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert_chinese_font(content)
    text = pdf_text(content)
    assert "Birth service registration" in text
    assert registration.number in text
    assert woman.reveal_id_number() in text
    assert "张伟" in text and "王芳" in text
    assert "Registration issued" in text and "Other side notified" in text
    assert certificate.number in text
    assert f"/certificates/check/{certificate.token}/" in text
    assert "R-" not in text  # no internal rule ids on what the family holds
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_type="birth_registration", object_id=str(registration.pk)
    ).exists()
    api = _api(township_operator).get(f"/api/v1/births/registrations/{registration.pk}/pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")


def test_the_pdf_lists_the_confirmations_and_waits_for_the_issue(
    asked, township_operator, husband_township, village_worker, residence_township
):
    for code, user in ((SANTAI_TOWNSHIP, township_operator), (HUSBAND_HOME, husband_township)):
        exchange.answer_request(
            _confirmations()[code].pk, answer="属实", acting_user=user, now=at(dt.date(2026, 3, 9))
        )
    with pytest.raises(Rejected, match="once it is issued"):
        services.registration_pdf(village_worker, asked.pk)
    # Over the API too (its language is the request's, so the text is read first below).
    refused = _api(village_worker).get(f"/api/v1/births/registrations/{asked.pk}/pdf")
    assert refused.status_code == 422
    translation.activate("en")
    services.forward_to_township(
        asked.pk, opinion="齐全", acting_user=village_worker, now=at(dt.date(2026, 3, 10))
    )
    services.issue_registration(
        asked.pk, acting_user=residence_township, now=at(dt.date(2026, 3, 11))
    )
    _registration, content = services.registration_pdf(village_worker, asked.pk)
    text = pdf_text(content)
    assert text.count("Home township confirmed") == 2
    assert "bob" in text and "hank" in text
    assert "Her certificate" not in text  # none to check, no code printed


def test_the_registration_pdf_is_for_her_jurisdictions_only(woman, township_operator):
    from conftest import make_user

    registration = _issued_at_home(woman, township_operator)
    outsider = make_user("olga", "county_admin", "330106")  # 西湖区: neither home nor residence
    with pytest.raises(NotFound):
        services.registration_pdf(outsider, registration.pk)


def test_r_cert_4_the_interim_certificate_is_printable(
    client, woman, residence_township, other_county_admin
):
    """The residence township prints it for her: the 60-day window, her ID, who issued it."""
    from yipanqi.certificates import services as certificates

    interim = certificates.issue_interim_certificate(woman.pk, acting_user=residence_township)
    client.force_login(residence_township)
    person_page = client.get(f"/persons/{woman.pk}/").content.decode()
    assert f'href="/certificates/interim/{interim.pk}/pdf/"' in person_page
    response = client.get(f"/certificates/interim/{interim.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_chinese_font(response.content)
    text = pdf_text(response.content)
    assert "Interim certificate of marital status" in text
    assert interim.number in text
    assert interim.window_ends_on.isoformat() in text
    assert woman.reveal_id_number() in text
    assert "R-" not in text
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_type="interim_certificate", object_id=str(interim.pk)
    ).exists()
    api = _api(residence_township).get(f"/api/v1/certificates/interims/{interim.pk}/pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
    client.force_login(other_county_admin)
    assert client.get(f"/certificates/interim/{interim.pk}/pdf/").status_code == 404
    outsider = _api(other_county_admin).get(f"/api/v1/certificates/interims/{interim.pk}/pdf")
    assert outsider.status_code in (403, 404)
    json.dumps(outsider.json())  # an answer in JSON, not an HTML page
