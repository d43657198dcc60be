"""R-JUR-3 in the birth registration form (issue 12.7): the husband's home is chosen from the
hierarchy with the division picker, not typed as a code; a husband on record (registered as her
spouse) gives his name and home, and the registration points at his record."""

import datetime as dt

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
from yipanqi.births.models import BirthRegistration
from yipanqi.people.services import RegistrationInput, register

from .conftest import HUSBAND_HOME


def test_the_husband_s_home_is_chosen_with_the_division_picker(client, woman, village_worker):
    client.force_login(village_worker)
    page = client.get(f"/births/apply/?person={woman.pk}").content.decode()
    assert "data-picker" in page
    assert 'type="hidden" name="husband_home_code"' in page
    assert "division code)" not in page  # no more "(9- or 12-digit division code)"
    assert f"/register/inflow/?spouse={woman.pk}" in page  # register him first, linked
    # A home chosen only down to the county is refused in words, the name is kept.
    refused = client.post(
        f"/births/apply/?person={woman.pk}",
        {"husband_name": "张伟", "husband_home_code": "320102", "idempotency_key": "w1"},
    )
    assert "down to the township" in refused.content.decode()
    assert "张伟" in refused.content.decode()
    assert not BirthRegistration.objects.exists()
    done = client.post(
        f"/births/apply/?person={woman.pk}",
        {
            "husband_name": "张伟",
            "husband_home_code": HUSBAND_HOME + "001",
            "idempotency_key": "w2",
        },
    )
    assert done.status_code == 302
    assert BirthRegistration.objects.get().husband_home_id == HUSBAND_HOME


def test_a_husband_on_record_gives_his_name_and_home(client, woman, village_worker):
    husband = register(
        RegistrationInput(
            id_number=id_for(area="510722", birth=dt.date(1993, 1, 5), seq=11, sex="M"),
            name="李强",
            home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE,
            arrival_date=dt.date(2026, 3, 2),
            reason="work",
            marital_status="first_marriage",
            spouse_id=woman.pk,
        ),
        kind="inflow",
        acting_user=village_worker,
    ).person
    client.force_login(village_worker)
    page = client.get(f"/births/apply/?person={woman.pk}").content.decode()
    assert 'id="husband-on-record"' in page and "李强" in page
    assert 'name="husband_name"' not in page
    done = client.post(
        f"/births/apply/?person={woman.pk}",
        {"idempotency_key": "w3", "documents": ["id_cards"]},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    registration = BirthRegistration.objects.get()
    assert registration.husband_id == husband.pk
    assert (registration.husband_name, registration.husband_home_id) == ("李强", SANTAI_VILLAGE[:9])
