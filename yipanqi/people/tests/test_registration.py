"""Registering inflow and outflow persons: R-REGN-1..3, R-JUR-3, R-ACC-2 and P5."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
from yipanqi.audit.models import AuditEvent
from yipanqi.core.crypto import blind_index
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.people.models import Person, PersonEvent, Registration
from yipanqi.people.services import (
    RegistrationInput,
    access_person,
    register,
    reveal_person,
    search_persons,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in their English source form; test_chinese_messages covers zh-hans."""
    with translation.override("en"):
        yield


def test_chinese_messages_by_default(register_inflow):
    with translation.override("zh-hans"), pytest.raises(Rejected) as err:
        register_inflow(reason="tourism")
    assert "因旅游暂住的人员将返回户籍地" in err.value.messages()[0]


def outflow_input(**overrides):
    data = {
        "id_number": id_for(),
        "name": "王芳",
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": dt.date(2026, 2, 1),
        "reason": "work",
        "marital_status": "first_marriage",
    }
    data.update(overrides)
    return RegistrationInput(**data)


def test_r_regn_1_inflow_registration_creates_person_and_timeline(register_inflow, village_worker):
    registration = register_inflow()
    person = registration.person
    assert registration.kind == "inflow"
    assert registration.registered_by_unit_id == NANSHAN_VILLAGE
    assert person.sex == "F" and person.birth_date == dt.date(1995, 4, 12)
    assert person.residence_id == NANSHAN_VILLAGE and person.home_id == SANTAI_VILLAGE
    assert list(person.events.values_list("type", flat=True)) == ["registered_inflow"]
    assert AuditEvent.objects.filter(action="person_create", person_id=person.pk).count() == 1


def test_p5_id_and_phone_stored_encrypted_with_blind_index(register_inflow):
    person = register_inflow().person
    raw = id_for()
    stored = Person.objects.values_list("id_number_cipher", "phone_cipher").get(pk=person.pk)
    assert raw.encode() not in bytes(stored[0])
    assert b"13800138000" not in bytes(stored[1])
    assert person.id_number_index == blind_index(raw, domain="id")
    assert person.id_number_masked == raw[:4] + "*" * 10 + raw[14:]
    assert person.reveal_id_number() == raw and person.reveal_phone() == "13800138000"


def test_r_regn_2_outflow_and_inflow_of_same_id_are_linked(register_inflow, township_operator):
    inflow = register_inflow()
    outflow = register(outflow_input(), kind="outflow", acting_user=township_operator)
    assert outflow.person_id == inflow.person_id
    assert Person.objects.count() == 1
    kinds = set(Registration.objects.filter(person=inflow.person).values_list("kind", flat=True))
    assert kinds == {"inflow", "outflow"}
    assert PersonEvent.objects.filter(person=inflow.person, type="linked").exists()
    # Each side sees the other's record through the shared person.
    assert access_person(township_operator, inflow.person_id).pk == inflow.person_id


def test_r_regn_1_recording_late_is_recorded(register_inflow):
    # Received 2026-09-28; 5 working days later is 2026-10-12 (National Day, make-up days).
    on_time = register_inflow(received_on=timezone.localdate())
    assert on_time.recorded_in_time
    late = register_inflow(id_number=id_for(seq=8), received_on=dt.date(2026, 1, 5))
    assert not late.recorded_in_time


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"home_code": "440305001003"}, "__all__", "same county"),
        ({"reason": "medical"}, "__all__", "expected to return home"),
        ({"reason": "study"}, "__all__", "expected to return home"),
        ({"id_number": id_for(birth=dt.date(2012, 1, 1))}, "id_number", "under 18"),
        ({"id_number": id_for(birth=dt.date(1970, 1, 1))}, "id_number", "18 to 49"),
        (
            {"id_number": id_for(sex="M"), "marital_status": "unmarried"},
            "marital_status",
            "husband",
        ),
        (
            {"id_number": id_for()[:17] + ("1" if id_for()[17] != "1" else "2")},
            "id_number",
            "last character",
        ),
        ({"home_code": "51"}, "home_code", "at least the county"),
        ({"home_code": "999999"}, "home_code", "no division"),
        ({"arrival_date": dt.date(2099, 1, 1)}, "arrival_date", "future"),
        ({"phone": "12345"}, "phone", "11-digit"),
    ],
)
def test_r_jur_3_rejections_say_why_and_write_nothing(register_inflow, overrides, field, fragment):
    with pytest.raises(Rejected) as err:
        register_inflow(**overrides)
    assert any(fragment in message for message in err.value.errors[field]), err.value.errors
    assert Person.objects.count() == 0 and Registration.objects.count() == 0


def test_r_jur_3_districts_of_one_municipality_are_not_migration(db):
    from conftest import make_user
    from yipanqi.divisions.models import Division
    from yipanqi.people.services import scope_violations

    dongcheng = Division.objects.get(pk="110101")
    xicheng = Division(code="110102", level=3, name="西城区")
    assert any("municipality" in p for p in scope_violations(dongcheng, xicheng, "work"))
    # Shanghai to Beijing is migration, registered by the Beijing community.
    worker = make_user("bj", "village_worker", "110101001001")
    registration = register(
        outflow_input(home_code="310115", residence_code="110101001001"),
        kind="inflow",
        acting_user=worker,
    )
    assert registration.residence.path_name.startswith("北京市 › 东城区")


def test_r_jur_3_districts_of_one_city_are_not_migration(db):
    from yipanqi.divisions.models import Division
    from yipanqi.people.services import scope_violations

    nanshan = Division.objects.get(pk="440305")
    futian = Division.objects.get(pk="440304")
    assert any("same city" in p for p in scope_violations(nanshan, futian, "work"))
    santai = Division.objects.get(pk="510722")
    fucheng = Division.objects.get(pk="510703")
    assert scope_violations(santai, fucheng, "work") == []


def test_r_acc_2_worker_cannot_register_outside_own_village(register_inflow, village_worker):
    with pytest.raises(Rejected) as err:
        register_inflow(residence_code="440305001003")
    assert "your jurisdiction" in err.value.messages()[0]


def test_duplicate_registration_is_refused_and_moving_on_closes_the_old_one(register_inflow):
    from conftest import make_user

    first = register_inflow()
    with pytest.raises(Rejected):
        register_inflow()
    neighbour = make_user("nb", "village_worker", "440305001003")
    second = register_inflow(user=neighbour, residence_code="440305001003")
    first.refresh_from_db()
    assert first.status == "closed" and first.close_reason == "superseded"
    assert second.person_id == first.person_id
    assert Registration.objects.filter(person=first.person).count() == 2


def test_same_id_under_another_name_is_refused(register_inflow):
    register_inflow()
    with pytest.raises(Rejected) as err:
        register_inflow(name="李四", residence_code=NANSHAN_VILLAGE)
    assert "another name" in err.value.errors["name"][0]


def test_r_acc_2_scope_home_and_residence_sides_and_nobody_else(
    register_inflow, village_worker, township_operator, other_county_admin, province_admin, auditor
):
    person = register_inflow().person
    for user in (village_worker, township_operator, province_admin):
        assert access_person(user, person.pk).pk == person.pk
    for user in (other_county_admin, auditor):
        with pytest.raises(NotFound):
            access_person(user, person.pk)
    denied = AuditEvent.objects.filter(action="person_denied", person_id=person.pk)
    assert denied.count() == 2


def test_p5_reveal_writes_an_audit_row(register_inflow, township_operator):
    person = register_inflow().person
    revealed = reveal_person(township_operator, person.pk, reason="verify")
    assert revealed.id_number == id_for()
    row = AuditEvent.objects.get(action="person_view", person_id=person.pk)
    assert row.actor == township_operator and row.reason == "verify"


def test_search_by_id_name_and_division_within_scope(
    register_inflow, village_worker, other_county_admin
):
    person = register_inflow().person
    assert list(search_persons(village_worker, id_number=id_for().lower())) == [person]
    assert list(search_persons(village_worker, name="王")) == [person]
    assert list(search_persons(village_worker, within="440305")) == [person]
    assert list(search_persons(village_worker, within="4403", kind="outflow")) == []
    assert list(search_persons(other_county_admin, name="王")) == []
    row = AuditEvent.objects.filter(action="person_search").first()
    assert id_for() not in str(row.detail)


def test_sex_and_birth_date_given_are_cross_checked_with_the_id(register_inflow):
    with pytest.raises(Rejected) as err:
        register_inflow(sex="M", birth_date=dt.date(1995, 4, 13))
    assert set(err.value.errors) == {"sex", "birth_date"}
    assert register_inflow(sex="F", birth_date=dt.date(1995, 4, 12)).person.sex == "F"


def test_an_old_id_area_code_is_accepted(register_inflow):
    """ID numbers keep the area code of their issue; 320103 (白下区) was merged in 2013."""
    registration = register_inflow(
        id_number=id_for(area="320103"), home_code=SANTAI_VILLAGE, residence_code=NANSHAN_VILLAGE
    )
    assert registration.person.id_number_masked.startswith("3201")


def test_r_regn_4_news_clears_lost_contact_and_an_inflow_registration_is_news(
    register_inflow, township_operator, client
):
    from yipanqi.people.departures import flag_lost_contact

    outflow = register(
        outflow_input(arrival_date=dt.date(2026, 1, 5)),
        kind="outflow",
        acting_user=township_operator,
    )
    assert flag_lost_contact(dt.date(2026, 3, 10)) == 1
    client.force_login(township_operator)
    client.cookies["django_language"] = "en"
    page = client.get(f"/persons/{outflow.person_id}/")
    assert b"Record news" in page.content
    response = client.post(f"/persons/{outflow.person_id}/contact/", {"on": "2026-03-09"})
    assert response.status_code == 302
    outflow.refresh_from_db()
    assert not outflow.lost_contact and outflow.last_contact_on == dt.date(2026, 3, 9)
    assert outflow.person.events.filter(type="contact_recorded").exists()
    # A later inflow registration at the residence is news too.
    Registration.objects.filter(pk=outflow.pk).update(lost_contact=True)
    register_inflow()
    outflow.refresh_from_db()
    assert not outflow.lost_contact and outflow.last_contact_on == timezone.localdate()


def test_r_regn_4_only_the_home_side_records_news(register_inflow, township_operator, client):
    registration = register(outflow_input(), kind="outflow", acting_user=township_operator)
    register_inflow()
    from conftest import make_user

    worker = make_user("res", "village_worker", NANSHAN_VILLAGE)
    client.force_login(worker)
    client.post(f"/persons/{registration.person_id}/contact/", {"on": "2026-03-09"})
    registration.refresh_from_db()
    assert registration.last_contact_on != dt.date(2026, 3, 9)
