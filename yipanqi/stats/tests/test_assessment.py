"""R-STAT-2: the two-way scorecard attributes each failure to the side that answers for it,
counts come from the other side's records, each count opens the rows behind it, XLSX export."""

import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _items(card):
    return {str(i.label): i for section in card.sections for i in section.items}


def test_r_stat_2_home_side_answers_for_late_answers_to_the_residence(
    world, township_operator, client
):
    client.force_login(township_operator)

    response = client.get("/stats/assessment/", {"at": "510722", "period": "2026"})

    card = response.context["card"]
    items = _items(card)
    # the four verification requests from 南山 are case co-investigations: 3 of 4 late
    both = items["Case co-investigations and notifications received, answered late or not at all"]
    assert (both.failures, both.cases) == (3, 4)
    assert (
        items["Requests received that had to be escalated to the common higher level"].failures == 1
    )
    late_outflow = items["Outflow registrations not recorded within 5 working days"]
    assert (late_outflow.failures, late_outflow.cases) == (1, 2)
    verification = next(r for r in card.requests_by_type if r["type"] == "verification")
    assert (verification["due"], verification["late"], verification["side"]) == (4, 3, "both")


def test_r_stat_2_residence_answers_for_its_late_and_unserved_registrations(
    world, village_worker, client
):
    client.force_login(village_worker)

    card = client.get("/stats/assessment/", {"at": "440305", "period": "2026-Q3"}).context["card"]

    items = _items(card)
    assert (items["Inflow registrations not recorded within 5 working days"].failures,
            items["Inflow registrations not recorded within 5 working days"].cases) == (1, 3)  # fmt: skip
    assert items["Persons living here more than 30 days before registration"].failures == 1
    # nothing was asked of 南山 in the quarter
    both = items["Case co-investigations and notifications received, answered late or not at all"]
    assert both.cases == 0


def test_r_stat_2_each_count_opens_the_requests_behind_it(world, township_operator, client):
    client.force_login(township_operator)
    card = client.get("/stats/assessment/", {"at": "510722", "period": "2026"}).context["card"]
    item = _items(card)[
        "Case co-investigations and notifications received, answered late or not at all"
    ]

    response = client.get(f"/stats/drill/?{item.drill}")

    assert response.status_code == 200
    assert {r.pk for r in response.context["page"].object_list} == {
        r.pk for r in world["requests"][1:4]
    }


def test_r_stat_2_scorecard_exports_to_xlsx(world, township_operator, client):
    client.force_login(township_operator)

    response = client.get(
        "/stats/assessment/", {"at": "510722", "period": "2026", "format": "xlsx"}
    )

    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 4
    rows = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert rows[0][2:5] == (3, 4, 25.0)


def test_r_stat_2_a_month_is_not_an_assessment_period(world, township_operator, client):
    client.force_login(township_operator)

    response = client.get("/stats/assessment/", {"at": "510722", "period": "2026-03"})

    assert response.status_code == 422
    assert "a year (2026) or a quarter (2026-Q1)" in response.content.decode()
