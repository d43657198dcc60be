"""The /api/v1/divisions endpoints and the cascading-select partial."""

import pytest
from django.test import override_settings

from yipanqi.accounts.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("test_divisions"),
    pytest.mark.urls("yipanqi.divisions.tests.urls"),
]


@pytest.fixture
def signed_in(client):
    user = User.objects.create_user(
        username="nadia", password="correct-horse-battery-9", role="national_admin"
    )
    client.force_login(user)
    return client


def test_r_jur_2_detail_gives_the_display_path(signed_in):
    response = signed_in.get("/api/v1/divisions/110101")

    assert response.status_code == 200
    assert response.json() == {
        "code": "110101",
        "name": "东城区",
        "level": 3,
        "parent": "1101",
        "path_name": "北京市 › 东城区",
        "is_placeholder": False,
    }


def test_r_jur_1_detail_accepts_the_padded_form(signed_in):
    assert signed_in.get("/api/v1/divisions/440305000000").json()["code"] == "440305"


@pytest.mark.parametrize(
    ("code", "status"), [("990101", 404), ("44x", 422), ("4", 422), ("4403050", 422)]
)
def test_r_jur_1_unknown_code_is_404_and_malformed_is_422(signed_in, code, status):
    assert signed_in.get(f"/api/v1/divisions/{code}").status_code == status
    assert signed_in.get(f"/api/v1/divisions/{code}/children").status_code == status


def test_r_jur_2_children_of_a_municipality_skip_the_placeholder_city(signed_in):
    response = signed_in.get("/api/v1/divisions/11/children")

    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["110101"]["via_placeholder"] == "1101"
    assert rows["110101"]["parent"] == "1101"
    assert "1101" not in rows


def test_r_jur_2_children_of_an_ordinary_province_are_direct(signed_in):
    rows = {row["code"]: row for row in signed_in.get("/api/v1/divisions/41/children").json()}

    assert rows["4101"]["via_placeholder"] is None
    assert rows["419001"]["via_placeholder"] == "4190"


def test_r_jur_1_search_by_name_within_and_level(signed_in):
    response = signed_in.get("/api/v1/divisions", {"q": "南山", "within": "44", "level": 3})

    assert response.status_code == 200
    assert [row["code"] for row in response.json()] == ["440305"]


@pytest.mark.parametrize(
    "params", [{"within": "4x"}, {"level": 6}, {"limit": 0}, {"limit": 1000}, {"q": "x" * 51}]
)
def test_r_jur_1_malformed_search_is_422(signed_in, params):
    assert signed_in.get("/api/v1/divisions", params).status_code == 422


def test_r_jur_1_search_limit(signed_in):
    assert len(signed_in.get("/api/v1/divisions", {"level": 3, "limit": 5}).json()) == 5


def test_api_requires_authentication(client):
    assert client.get("/api/v1/divisions/110101").status_code == 401


def test_r_jur_2_options_partial_lists_districts_of_a_municipality(signed_in):
    response = signed_in.get("/divisions/children/11/", {"selected": "110101"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="110101" data-level="3" data-via="1101" selected>东城区</option>' in html
    assert 'value="1101"' not in html


def test_r_jur_1_options_partial_without_code_lists_provinces(signed_in):
    html = signed_in.get("/divisions/children/").content.decode()

    assert html.count("<option") == 32  # the blank choice and 31 provinces
    assert '<option value="44" data-level="1">广东省</option>' in html


def test_r_jur_1_options_partial_unknown_or_malformed_code_is_404(signed_in):
    assert signed_in.get("/divisions/children/990101/").status_code == 404
    assert signed_in.get("/divisions/children/junk/").status_code == 404


@override_settings(LOGIN_URL="/login/")
def test_options_partial_requires_login(client):
    response = client.get("/divisions/children/11/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
