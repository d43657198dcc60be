"""Reads over divisions: subtree queries, display paths, children, the ID-area check."""

import pytest
from django.db import connection

from yipanqi.divisions.models import Division
from yipanqi.divisions.queries import (
    display_path,
    is_known_county,
    list_children,
    province_codes,
    search_divisions,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_divisions")]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plan")
def test_r_jur_1_subtree_query_uses_the_code_index_on_sqlite():
    sql, params = Division.objects.within("4403").query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "SEARCH" in plan and "USING INDEX" in plan, plan
    assert "code>? AND code<?" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plan")
def test_r_jur_1_subtree_query_uses_the_code_index_on_postgresql():
    sql, params = Division.objects.within("4403").query.sql_with_params()

    with connection.cursor() as cursor:
        # The test table is small enough for a sequential scan; ask whether an index *can* serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())

    assert "Index" in plan and "Filter" not in plan, plan


def test_r_jur_1_subtree_is_the_code_prefix():
    codes = set(Division.objects.within("4403").values_list("code", flat=True))

    assert {"4403", "440305", "440305001", "440305001001"} <= codes
    assert all(code.startswith("4403") for code in codes)
    assert "44" not in codes and "4404" not in codes


def test_r_jur_1_known_county_is_a_loaded_six_digit_county():
    assert is_known_county("440305")
    assert is_known_county("419001")
    assert is_known_county("441900")
    assert not is_known_county("440300")  # city-level area code, not a county
    assert not is_known_county("990101")
    assert not is_known_county("4403")
    assert not is_known_county("44030x")


def test_r_jur_1_province_codes():
    codes = province_codes()

    assert len(codes) == 31
    assert {"11", "44", "65"} <= codes


def test_r_jur_2_display_path_and_short_name():
    assert display_path("110101") == "北京市 › 东城区"
    assert display_path("110101000000") == "北京市 › 东城区"
    assert display_path("990101") == "990101"
    assert display_path("junk") == "junk"
    assert Division.objects.get(code="1101").short_name == "北京市"
    assert Division.objects.get(code="441900").short_name == "东莞市"
    assert Division.objects.get(code="440305").short_name == "南山区"


def test_r_jur_2_children_of_a_municipality_skip_the_placeholder_city():
    children = list_children("11")

    assert {c.division.code for c in children} >= {"110101", "110102", "110105"}
    assert all(c.via_placeholder == "1101" for c in children)
    assert all(not c.division.is_placeholder for c in children)


def test_r_jur_2_children_of_chongqing_merge_both_placeholders():
    codes = {c.division.code: c.via_placeholder for c in list_children("50")}

    assert codes["500101"] == "5001"
    assert codes["500229"] == "5002"


def test_r_jur_2_children_of_a_province_include_its_direct_counties():
    children = {c.division.code: c for c in list_children("41")}

    assert children["4101"].via_placeholder is None
    assert children["419001"].via_placeholder == "4190"
    assert "4190" not in children


def test_r_jur_1_children_of_none_are_the_provinces():
    assert len(list_children(None)) == 31


def test_r_jur_1_search_by_name_within_a_subtree():
    found = search_divisions("南山", within="44", level=3)

    assert [d.code for d in found] == ["440305"]
    assert search_divisions("南山", within="11") == []
