"""Place names in a file resolve as people write them (issue 12.16): a level left out is found
below the levels named when only one division fits; two that fit are a row error naming both."""

import pytest

from yipanqi.imports.values import CellError, DivisionResolver

pytestmark = pytest.mark.django_db


def test_a_county_under_its_province_without_the_prefecture():
    # 瑞金市 is a county-level city of 赣州市; people write 江西省瑞金市.
    assert DivisionResolver("440305").resolve("江西省瑞金市") == "360781"
    assert DivisionResolver("440305").resolve("江西瑞金") == "360781"


def test_a_township_without_its_county_and_prefecture():
    resolver = DivisionResolver("440305")
    assert resolver.resolve("四川省三台县潼川镇") == "510722101"
    assert resolver.resolve("四川省绵阳市潼川镇") == "510722101"
    assert resolver.resolve("四川省潼川镇") == "510722101"


def test_the_full_path_still_resolves_as_before():
    assert DivisionResolver("440305").resolve("江西省赣州市瑞金市") == "360781"


def test_two_districts_of_one_name_in_a_province_are_an_error_naming_both():
    # 鼓楼区 is a district of 南京市 and of 徐州市.
    with pytest.raises(CellError) as refused:
        DivisionResolver("440305").resolve("江苏省鼓楼区")
    message = str(refused.value)
    assert "南京市" in message and "徐州市" in message


def test_a_name_that_is_nowhere_below_the_province_is_refused():
    with pytest.raises(CellError) as refused:
        DivisionResolver("440305").resolve("江西省不存在县")
    assert "江西省" in str(refused.value)


def test_an_ambiguous_place_rejects_the_row_in_an_import(tmp_path, run_import):
    from yipanqi.imports.tests.conftest import inflow_row, write_csv

    path = write_csv(tmp_path / "f.csv", [inflow_row(1, home="江苏省鼓楼区")])
    job = run_import(path)
    assert (job.status, job.rejected) == ("rejected", 1)
    (shown,) = job.rejected_rows
    assert shown["field"] == "home_code"
    assert "徐州市" in shown["reason"] and "南京市" in shown["reason"]
