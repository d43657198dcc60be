"""/api/v1/workdays/: typed answers, 422 for bad input, authentication required."""

import pytest

from yipanqi.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    user = User.objects.create_user(
        username="nadia", password="correct-horse-battery-9", role="national_admin"
    )
    client.force_login(user)
    return client


def test_r_wd_1_api_add(api):
    response = api.get("/api/v1/workdays/add", {"date": "2026-09-28", "n": 15})
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-10-23",
        "fallback": False,
        "years_without_schedule": [],
    }


def test_r_wd_4_api_add_flags_fallback(api):
    response = api.get("/api/v1/workdays/add", {"date": "2026-12-28", "n": 15})
    assert response.json() == {
        "date": "2027-01-18",
        "fallback": True,
        "years_without_schedule": [2027],
    }


def test_r_wd_1_api_between_and_is_working_day(api):
    response = api.get("/api/v1/workdays/between", {"start": "2026-09-28", "end": "2026-10-23"})
    assert response.json() == {"days": 15, "fallback": False, "years_without_schedule": []}
    response = api.get("/api/v1/workdays/is-working-day", {"date": "2026-10-10"})
    assert response.json() == {
        "date": "2026-10-10",
        "is_working_day": True,
        "fallback": False,
        "years_without_schedule": [],
    }


def test_r_wd_3_api_deadline(api):
    response = api.get("/api/v1/workdays/deadline", {"year": 2026, "month": 10, "day": 3})
    assert response.json()["date"] == "2026-10-08"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("add", {"date": "2026-02-30", "n": 1}),
        ("add", {"date": "2026-09-28", "n": -1}),
        ("add", {"date": "2026-09-28", "n": "x"}),
        ("add", {"date": "2026-09-28"}),
        ("add", {"date": "1800-01-01", "n": 1}),
        ("add", {"date": "2200-12-30", "n": 5}),
        ("between", {"start": "2026-01-01", "end": "9999-01-01"}),
        ("is-working-day", {"date": "yesterday"}),
        ("deadline", {"year": 2026, "month": 13, "day": 1}),
    ],
)
def test_api_workdays_bad_input_is_422_not_500(api, path, params):
    assert api.get(f"/api/v1/workdays/{path}", params).status_code == 422


def test_api_workdays_requires_authentication(client):
    response = client.get("/api/v1/workdays/add", {"date": "2026-09-28", "n": 15})
    assert response.status_code == 401
