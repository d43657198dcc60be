"""R-REGN-6: a departure closes the residence record, keeps history and notifies the home side."""

import datetime as dt

import pytest
from django.urls import reverse

from conftest import SANTAI_VILLAGE
from yipanqi.core.errors import Rejected
from yipanqi.exchange.models import Request
from yipanqi.people.departures import record_departure
from yipanqi.people.models import PersonEvent, Registration

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


def test_r_regn_6_departure_closes_the_record_and_notifies_the_home_side(
    register_inflow, village_worker, township_operator
):
    registration = register_inflow()
    record_departure(
        registration,
        reason="returned_home",
        on=dt.date(2026, 11, 20),
        acting_user=village_worker,
        today=TODAY,
    )
    registration.refresh_from_db()
    assert (registration.status, registration.close_reason) == ("closed", "returned_home")
    assert registration.closed_on == dt.date(2026, 11, 20)
    assert Registration.objects.filter(pk=registration.pk).exists()  # nothing deleted
    assert PersonEvent.objects.filter(person=registration.person, type="departed").exists()
    notice = Request.objects.get(type="departure_notice")
    assert notice.receiver_id == SANTAI_VILLAGE
    assert list(notice.persons.all()) == [registration.person]
    assert Request.objects.visible_to(township_operator).filter(pk=notice.pk).exists()


def test_r_regn_6_the_close_and_the_notice_commit_together(register_inflow, village_worker):
    registration = register_inflow()
    # A notice that cannot be sent (an unknown key collision) rolls the close back too.
    from yipanqi.exchange.services import send_request

    send_request(
        "notification",
        sender_code=village_worker.jurisdiction_id,
        receiver_code=SANTAI_VILLAGE,
        acting_user=village_worker,
        idempotency_key=f"departure-{registration.pk}",
    )
    with pytest.raises(Rejected):
        record_departure(
            registration, reason="moved_on", on=TODAY, acting_user=village_worker, today=TODAY
        )
    registration.refresh_from_db()
    assert registration.status == "active"
    assert not PersonEvent.objects.filter(type="departed").exists()


def test_r_regn_6_only_the_residence_side_records_a_departure(register_inflow, township_operator):
    registration = register_inflow()
    with pytest.raises(Rejected):
        record_departure(
            registration, reason="moved_on", on=TODAY, acting_user=township_operator, today=TODAY
        )


def test_r_regn_6_a_future_date_is_refused(register_inflow, village_worker):
    with pytest.raises(Rejected) as err:
        record_departure(
            register_inflow(),
            reason="moved_on",
            on=TODAY + dt.timedelta(days=1),
            acting_user=village_worker,
            today=TODAY,
        )
    assert "on" in err.value.errors


def test_r_regn_6_the_person_page_button_records_it(client, register_inflow, village_worker):
    registration = register_inflow()
    client.force_login(village_worker)
    page = client.get(reverse("people:person", args=[registration.person_id]))
    assert "Record departure" in page.content.decode()
    response = client.post(
        reverse("people:departure", args=[registration.pk]),
        {"reason": "moved_on", "on": "2026-03-10"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "closed"
    page = client.get(reverse("people:person", args=[registration.person_id]))
    assert "Departure notice" in page.content.decode()  # the request shows on the person page
