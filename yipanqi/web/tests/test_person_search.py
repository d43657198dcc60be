"""Issue 12.13: person search is a GET with its filters in the URL; an ID number never is."""

import pytest
from django.utils import translation

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def test_search_is_a_get_that_refills_the_form_and_honours_within(
    client, village_worker, register_inflow
):
    """`?within=` filters (it was ignored) and the form shows what was searched."""
    register_inflow(name="王芳")
    register_inflow(
        id_number=id_for(seq=31), name="王丽", home_code=SANTAI_VILLAGE, phone=""
    )  # same place: both in scope
    client.force_login(village_worker)
    page = client.get(f"/persons/?name=王&within={NANSHAN_VILLAGE}&kind=inflow")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 persons found" in html
    assert 'name="name" value="王"' in html
    assert f'name="within" value="{NANSHAN_VILLAGE}"' in html
    assert 'value="inflow" selected' in html
    elsewhere = client.get("/persons/?within=320102").content.decode()
    assert "0 persons found" in elsewhere


def test_bad_filter_explains_and_finds_nothing(client, village_worker, register_inflow):
    register_inflow()
    client.force_login(village_worker)
    html = client.get("/persons/?within=123").content.decode()
    assert "A division code has 2, 4, 6, 9 or 12 digits." in html
    assert "persons found" not in html and 'value="123"' in html


def test_p5_id_lookup_is_a_post_that_redirects_to_the_person(
    client, village_worker, register_inflow
):
    """P5: the ID number goes in a POST body; found, the answer is the person's page, so the
    ID is in no URL, and Back returns to the search page."""
    person = register_inflow().person
    client.force_login(village_worker)
    response = client.post("/persons/", {"id_number": id_for()})
    assert response.status_code == 302
    assert response["Location"] == f"/persons/{person.pk}/"
    assert id_for() not in response["Location"]


def test_p5_id_in_a_url_is_not_searched(client, village_worker, register_inflow):
    """A GET with ?id_number= (an old bookmark) does not search by it."""
    register_inflow()
    client.force_login(village_worker)
    html = client.get(f"/persons/?id_number={id_for()}").content.decode()
    assert "persons found" not in html and "person found" not in html


def test_unknown_id_keeps_what_was_typed_and_says_why(client, village_worker, register_inflow):
    register_inflow()
    client.force_login(village_worker)
    typed = id_for(seq=99)
    response = client.post("/persons/", {"id_number": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nobody with this ID number is registered in your area." in html
    assert f'value="{typed}"' in html
