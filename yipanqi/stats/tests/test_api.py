"""/api/v1/stats: the same figures as the dashboard (R-STAT-1, R-STAT-4), the drill-down within
scope (R-ACC-2), 422 for bad input and 403 for the separated administrative roles."""

import pytest

from yipanqi.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def api(client_class, user):
    _token, key = ApiToken.issue(user, name="stats-test")
    return client_class(headers={"authorization": f"Bearer {key}"})


def test_r_stat_1_rates_by_api_have_numerator_denominator_and_target(
    world, township_operator, client
):
    c = api(type(client), township_operator)

    response = c.get("/api/v1/stats/rates", {"at": "510722", "period": "2026-10"})

    assert response.status_code == 200
    rates = {r["code"]: r for r in response.json()["rates"]}
    assert rates["timeliness"]["numerator"] == 1
    assert rates["timeliness"]["denominator"] == 4
    assert rates["timeliness"]["value"] == 25.0
    assert rates["timeliness"]["target"] == {"value": 95.0, "source": "泛珠三角"}
    assert rates["timeliness"]["meets"] is False


def test_r_stat_4_children_and_trend_by_api(world, province_admin, client):
    c = api(type(client), province_admin)

    children = c.get("/api/v1/stats/children", {"at": "", "period": "2026"}).json()
    trend = c.get("/api/v1/stats/trend", {"at": "4403", "rate": "registration_inflow"}).json()

    by_code = {row["place"]["code"]: row for row in children["children"]}
    guangdong = {r["code"]: r for r in by_code["44"]["rates"]}
    assert guangdong["registration_inflow"]["denominator"] == 4
    assert len(trend["months"]) == 12
    september = next(m for m in trend["months"] if m["month"] == "2026-09")
    assert (september["numerator"], september["denominator"]) == (2, 3)


def test_r_acc_2_drill_by_api_lists_only_what_the_user_may_see(
    world, village_worker, other_county_admin, client
):
    query = {"at": "440305", "period": "2026", "rate": "registration_inflow", "part": "gap"}

    inside = api(type(client), village_worker).get("/api/v1/stats/drill", query).json()
    outside = api(type(client), other_county_admin).get("/api/v1/stats/drill", query).json()

    assert [r["person_name"] for r in inside["results"]] == ["王芳2"]
    assert inside["count"] == 1
    assert outside["count"] == 0 and outside["results"] == []


def test_r_stat_1_api_bad_input_is_422_and_separated_roles_403(
    world, auditor, village_worker, client
):
    c = api(type(client), village_worker)

    bad = c.get("/api/v1/stats/rates", {"period": "2026-Q5"})
    wrong_place = c.get("/api/v1/stats/rates", {"at": "123456"})
    denied = api(type(client), auditor).get("/api/v1/stats/rates")

    assert bad.status_code == 422 and "period" in bad.json()["errors"]
    assert wrong_place.status_code == 422 and "at" in wrong_place.json()["errors"]
    assert denied.status_code == 403
