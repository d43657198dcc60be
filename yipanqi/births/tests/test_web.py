"""The birth registration pages: apply from her page, the application page with the steps and
who owes the next one, each step's action, return with the reason, reports (R-BIRTH-1..4)."""

import datetime as dt

from yipanqi.births.models import BirthRegistration, BirthReport, BirthStatus
from yipanqi.exchange.models import Request, RequestType

from .conftest import HUSBAND_HOME


def test_first_child_through_the_pages(
    client, woman, village_worker, township_operator, husband_township, residence_township
):
    """R-BIRTH-2: every step from the pages; the application page says who owes the next."""
    client.force_login(village_worker)
    person_page = client.get(f"/persons/{woman.pk}/")
    assert person_page.status_code == 200, person_page
    person_page = person_page.content.decode()
    assert "First-child registration" in person_page
    form = client.get(f"/births/apply/?person={woman.pk}")
    assert form.status_code == 200
    response = client.post(
        "/births/apply/",
        {"person": woman.pk, "husband_name": "张伟", "husband_home_code": HUSBAND_HOME,
         "documents": ["id_cards", "status_certificate"], "idempotency_key": "abc"},
    )  # fmt: skip
    registration = BirthRegistration.objects.get()
    assert response["Location"] == f"/births/{registration.pk}/"
    page = client.get(f"/births/{registration.pk}/").content.decode()
    assert "Ask both home townships to confirm" in page
    assert "Next step" in page
    client.post(f"/births/{registration.pk}/ask/")
    confirmations = list(Request.objects.filter(type=RequestType.BIRTH_CONFIRMATION))
    assert len(confirmations) == 2
    for user, request in zip([township_operator, husband_township], confirmations, strict=True):
        client.force_login(user)
        page = client.get(f"/births/{registration.pk}/").content.decode()
        assert f"/births/{registration.pk}/confirm/{request.pk}/" in page
        client.post(f"/births/{registration.pk}/confirm/{request.pk}/", {"answer": "Confirmed."})
    client.force_login(village_worker)
    page = client.post(f"/births/{registration.pk}/forward/", {"opinion": ""})
    assert page.status_code == 422 and "Please write the village" in page.content.decode()
    client.post(
        f"/births/{registration.pk}/forward/",
        {"opinion": "Both confirmed.", "documents": ["id_cards", "status_certificate"]},
    )
    client.force_login(residence_township)
    page = client.post(f"/births/{registration.pk}/issue/", follow=True).content.decode()
    assert "The file lacks: Marriage certificate" in page
    page = client.post(f"/births/{registration.pk}/return/", {"note": "x"})
    assert page.status_code == 422
    client.post(f"/births/{registration.pk}/return/", {"missing": ["marriage_certificate"]})
    registration.refresh_from_db()
    assert registration.status == BirthStatus.RETURNED
    client.force_login(village_worker)
    page = client.get(f"/births/{registration.pk}/").content.decode()
    assert "Missing: Marriage certificate." in page
    assert "Resubmit with the missing documents" in page
    client.post(
        f"/births/{registration.pk}/forward/",
        {"opinion": "Complete now.",
         "documents": ["id_cards", "marriage_certificate", "status_certificate"]},
    )  # fmt: skip
    client.force_login(residence_township)
    client.post(f"/births/{registration.pk}/issue/")
    registration.refresh_from_db()
    assert registration.status == BirthStatus.ISSUED
    listing = client.get("/births/").content.decode()
    assert registration.number in listing


def test_home_registration_and_birth_report_pages(client, woman, township_operator, village_worker):
    """R-BIRTH-3 from the home township's page; R-BIRTH-4 a report from the residence."""
    client.force_login(township_operator)
    response = client.post(
        "/births/home/",
        {"person": woman.pk, "husband_name": "张伟", "husband_home_code": HUSBAND_HOME,
         "child_order": "2", "idempotency_key": "h",
         "documents": ["id_cards", "marriage_certificate", "status_certificate"]},
    )  # fmt: skip
    registration = BirthRegistration.objects.get()
    assert response.status_code == 302 and registration.status == BirthStatus.ISSUED
    client.force_login(village_worker)
    page = client.post(
        "/births/reports/new/",
        {"person": woman.pk, "birth_date": "2026-10-01", "child_sex": "M", "source": "hospital",
         "idempotency_key": "r"},
        follow=True,
    )  # fmt: skip
    assert "home side notified" in page.content.decode()
    report = BirthReport.objects.get()
    assert report.registration == registration and report.birth_date == dt.date(2026, 10, 1)
    assert "home notified" in client.get("/births/reports/").content.decode()


def test_outsiders_see_nothing(client, woman, village_worker):
    """R-ACC-2: a county that is neither home nor residence sees no registration."""
    from conftest import make_user

    outsider = make_user("olga", "township_operator", "330106002")
    client.force_login(village_worker)
    client.post(
        "/births/apply/",
        {"person": woman.pk, "husband_name": "张伟", "husband_home_code": HUSBAND_HOME,
         "idempotency_key": "abc"},
    )  # fmt: skip
    registration = BirthRegistration.objects.get()
    client.force_login(outsider)
    assert client.get(f"/births/{registration.pk}/").status_code == 404
    assert client.get(f"/births/apply/?person={woman.pk}").status_code == 404
    assert registration.number is None and "张伟" not in client.get("/births/").content.decode()
