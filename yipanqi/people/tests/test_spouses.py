"""R-JUR-3: men are registered as spouses, never alone; R-CERT-1: certificates are for women,
so a man is never owed one. Issue 12.7: the web form, the API, the person page, the
certificate card and the birth registration form all apply it, and the UI links spouses.

Given 王芳 (三台县, living in 南山区) registered by the 南山 village worker, when her husband
is registered from her record, then both records point at each other.
"""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import translation

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
from yipanqi.accounts.models import ApiToken
from yipanqi.core.errors import Rejected
from yipanqi.people.models import Person, Registration
from yipanqi.people.services import RegistrationInput, register

pytestmark = pytest.mark.django_db

HUSBAND_ID = id_for(area="510722", birth=dt.date(1993, 1, 5), seq=11, sex="M")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _husband(user, **overrides) -> Registration:
    data = {
        "id_number": HUSBAND_ID,
        "name": "张伟",
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": dt.date(2026, 3, 2),
        "reason": "work",
        "marital_status": "first_marriage",
    }
    data.update(overrides)
    return register(RegistrationInput(**data), kind="inflow", acting_user=user)


def test_r_jur_3_a_man_alone_is_refused_and_nothing_is_written(village_worker):
    with pytest.raises(Rejected) as refused:
        _husband(village_worker)
    assert "husband of a registered woman" in refused.value.messages()[0]
    assert not Person.objects.exists()


def test_r_jur_3_a_man_registered_as_her_husband_links_both(register_inflow, village_worker):
    wife = register_inflow().person
    husband = _husband(village_worker, spouse_id=wife.pk).person
    wife.refresh_from_db()
    husband.refresh_from_db()
    assert (wife.spouse_id, husband.spouse_id) == (husband.pk, wife.pk)


def test_r_jur_3_the_wife_must_be_a_married_woman_without_another_husband(
    register_inflow, village_worker, other_county_admin
):
    single = register_inflow(
        id_number=id_for(seq=21), name="李娜", marital_status="unmarried"
    ).person
    with pytest.raises(Rejected, match="not recorded as married"):
        _husband(village_worker, spouse_id=single.pk)
    wife = register_inflow().person
    _husband(village_worker, spouse_id=wife.pk)
    with pytest.raises(Rejected, match="another husband"):
        _husband(
            village_worker,
            id_number=id_for(birth=dt.date(1990, 1, 1), seq=31, sex="M"),
            name="王强",
            spouse_id=wife.pk,
        )
    # A woman is registered on her own; nobody registers a man to a wife they cannot see.
    with pytest.raises(Rejected):
        register_inflow(id_number=id_for(seq=41), name="赵丽", spouse_id=wife.pk)
    assert Person.objects.filter(sex="M").count() == 1


def test_r_jur_3_a_linked_man_moving_on_needs_no_new_link(register_inflow, village_worker):
    wife = register_inflow().person
    _husband(village_worker, spouse_id=wife.pk)
    from conftest import make_user

    dongguan = make_user("dan", "village_worker", "441900003001")
    moved = _husband(dongguan, residence_code="441900003001")
    assert moved.person.spouse_id == wife.pk


def _api(user) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def test_r_jur_3_over_the_api(register_inflow, village_worker):
    client = _api(village_worker)
    body = {
        "id_number": HUSBAND_ID,
        "name": "张伟",
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": "2026-03-02",
        "reason": "work",
        "marital_status": "first_marriage",
    }
    alone = client.post("/api/v1/persons/inflow", json.dumps(body), content_type="application/json")
    assert alone.status_code == 422
    detail = alone.json()["detail"]
    assert "husband" in detail or "丈夫" in detail  # in the API's language
    wife = register_inflow().person
    linked = client.post(
        "/api/v1/persons/inflow",
        json.dumps({**body, "spouse_id": wife.pk}),
        content_type="application/json",
    )
    assert linked.status_code == 201, linked.content
    wife.refresh_from_db()
    assert wife.spouse_id == linked.json()["person_id"]


def test_the_web_links_spouses_from_her_record(client, register_inflow, village_worker):
    """Her page offers 'Register her husband'; the form starts from her stay and links them."""
    wife = register_inflow().person
    client.force_login(village_worker)
    page = client.get(f"/persons/{wife.pk}/").content.decode()
    assert f"/register/inflow/?spouse={wife.pk}" in page
    form = client.get(f"/register/inflow/?spouse={wife.pk}").content.decode()
    assert 'name="spouse_id"' in form and "王芳" in form
    assert NANSHAN_VILLAGE in form  # her residence, chosen for him
    # A man typed in without her is refused in words; what was typed stays in the form.
    body = {
        "id_number": HUSBAND_ID,
        "name": "张伟",
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": "2026-03-02",
        "reason": "work",
        "marital_status": "first_marriage",
    }
    refused = client.post("/register/inflow/", body)
    assert refused.status_code == 200
    assert "Register her husband" in refused.content.decode()
    assert HUSBAND_ID in refused.content.decode()
    assert not Person.objects.filter(sex="M").exists()
    done = client.post("/register/inflow/", {**body, "spouse_id": wife.pk})
    assert done.status_code == 302
    husband = Person.objects.get(sex="M")
    assert husband.spouse_id == wife.pk
    page = client.get(f"/persons/{wife.pk}/").content.decode()
    assert f'href="/persons/{husband.pk}/"' in page and "Register her husband" not in page
    his = client.get(f"/persons/{husband.pk}/").content.decode()
    assert f'href="/persons/{wife.pk}/"' in his


def test_r_cert_1_a_husband_is_owed_no_certificate(client, register_inflow, village_worker):
    """His page shows no certificate due, no interim to issue; the API says the same."""
    from conftest import NANSHAN_TOWNSHIP, make_user
    from yipanqi.certificates import selectors

    wife = register_inflow().person
    husband = _husband(village_worker, spouse_id=wife.pk).person
    nina = make_user("nina", "township_operator", NANSHAN_TOWNSHIP)
    overview = selectors.certificate_overview(husband, dt.date(2026, 6, 1))
    assert [item.due_on for item in overview.next_due] == [None]
    assert not any(item.overdue for item in overview.next_due)
    client.force_login(nina)
    page = client.get(f"/persons/{husband.pk}/").content.decode()
    assert "Issue interim certificate" not in page
    assert "Certificates are issued to women" in page
    her_page = client.get(f"/persons/{wife.pk}/").content.decode()
    assert "Issue interim certificate" in her_page
    api = _api(nina).get(f"/api/v1/certificates/persons/{husband.pk}")
    assert api.status_code == 200, api.content
    assert all(item["due_on"] is None for item in api.json()["next_due"])
    awaiting = [r.person_id for r in selectors.awaiting_verification(nina)]
    assert husband.pk not in awaiting and wife.pk in awaiting
