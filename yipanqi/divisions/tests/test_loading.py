"""Loading the division codes (R-JUR-1, R-JUR-2) from the reference data."""

import pytest
from django.core.management import call_command

from yipanqi.divisions.codes import CITY, COUNTY, PROVINCE, TOWNSHIP, VILLAGE
from yipanqi.divisions.loading import DivisionDataError, load_divisions
from yipanqi.divisions.models import Division
from yipanqi.divisions.testing import TEST_DIVISION_PREFIXES, load_test_divisions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_divisions")]


def path_of(code: str) -> str:
    return Division.objects.get(code=code).path_name


def test_r_jur_1_second_load_changes_nothing():
    report = load_test_divisions()

    assert not report.changed
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == Division.objects.count()


def test_r_jur_1_reload_restores_a_changed_name_and_counts_it():
    Division.objects.filter(code="440305").update(name="旧名", path_name="旧")

    report = load_test_divisions()

    assert report.levels[COUNTY].updated == 1
    assert report.updated == 1
    assert Division.objects.get(code="440305").name == "南山区"
    assert path_of("440305") == "广东省 › 深圳市 › 南山区"


def test_r_jur_1_subset_loads_upper_levels_in_full_and_lower_levels_inside_prefixes():
    by_level = {
        level: Division.objects.filter(level=level).count()
        for level in (PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE)
    }
    prefixes = tuple(TEST_DIVISION_PREFIXES)

    assert (by_level[PROVINCE], by_level[CITY], by_level[COUNTY]) == (31, 342, 2978)
    assert 0 < by_level[TOWNSHIP] < 1000
    assert 0 < by_level[VILLAGE] < 10000
    lower = Division.objects.filter(level__gte=TOWNSHIP).values_list("code", flat=True)
    assert all(code.startswith(prefixes) for code in lower)
    assert Division.objects.within("440305").filter(level=VILLAGE).exists()
    assert Division.objects.get(code="440305001001").edition == 2021
    assert Division.objects.get(code="440305001").edition == 2023


def test_r_jur_1_parent_is_the_code_prefix():
    village = Division.objects.select_related("parent__parent").get(code="440305001001")

    assert village.parent_id == "440305001"
    assert village.parent.parent_id == "440305"
    assert not Division.objects.filter(level=PROVINCE, parent__isnull=False).exists()


def test_r_jur_2_municipality_path_skips_placeholder():
    assert path_of("110101") == "北京市 › 东城区"
    assert path_of("500101") == "重庆市 › 万州区"
    assert path_of("310115") == "上海市 › 浦东新区"
    assert path_of("110101001") == "北京市 › 东城区 › 东华门街道"


def test_r_jur_2_county_directly_under_province_path_skips_placeholder():
    assert path_of("419001") == "河南省 › 济源市"
    assert path_of("429004") == "湖北省 › 仙桃市"


def test_r_jur_2_stand_in_county_path_collapses_repeated_name():
    assert path_of("441900") == "广东省 › 东莞市"
    township = Division.objects.within("441900").filter(level=TOWNSHIP).first()
    assert township.path_name == f"广东省 › 东莞市 › {township.name}"


def test_r_jur_1_ordinary_county_path_has_every_level():
    assert path_of("440305") == "广东省 › 深圳市 › 南山区"
    assert path_of("510722") == "四川省 › 绵阳市 › 三台县"


def test_r_jur_2_placeholder_cities_are_marked():
    placeholders = set(Division.objects.filter(is_placeholder=True).values_list("code", flat=True))

    assert placeholders == {"1101", "1201", "3101", "4190", "4290", "4690", "5001", "5002", "6590"}
    # A placeholder's own path keeps its name, so 重庆 市辖区 and 县 stay apart.
    assert path_of("5002") == "重庆市 › 县"


def test_r_jur_1_villages_of_vanished_townships_are_skipped_and_counted(tiny_data):
    report = load_divisions(tiny_data())

    assert report.levels[VILLAGE].skipped == 2
    assert report.levels[VILLAGE].loaded == 2
    assert not Division.objects.filter(code__startswith="110105400").exists()


def test_r_jur_1_subset_load_of_a_village_prefix_brings_its_township(tiny_data):
    # 西城区 (110102) is outside the test subset, so its township is not loaded yet.
    data = tiny_data(
        {
            "2023/counties.csv.gz": [("110101", "东城区", "1101"), ("110102", "西城区", "1101")],
            "2023/townships.csv.gz": [("110102001", "西长安街街道", "110102")],
            "2021/villages.csv.gz": [
                ("110102001004", "府右街南社区居委会", "110102001"),
                ("110102001007", "西交民巷社区居委会", "110102001"),
            ],
        }
    )

    report = load_divisions(data, within=["110102001004"])

    assert report.levels[TOWNSHIP].created == 1
    assert report.levels[VILLAGE].created == 1
    assert Division.objects.get(code="110102001004").path_name == (
        "北京市 › 西城区 › 西长安街街道 › 府右街南社区居委会"
    )
    assert not Division.objects.filter(code="110102001007").exists()


def test_r_jur_1_new_units_are_created_and_reported(tiny_data):
    data = tiny_data(
        {
            "2023/provinces.csv.gz": [
                ("11", "北京市", ""),
                ("44", "广东省", ""),
                ("98", "测试省", ""),
            ]
        }
    )

    report = load_divisions(data)

    assert report.levels[PROVINCE].created == 1
    assert path_of("98") == "测试省"


@pytest.mark.parametrize(
    ("replace", "header", "message"),
    [
        ({}, ("code", "name"), "missing column parent_code"),
        ({"2023/townships.csv.gz": [("440306001", "无主街道", "440306")]}, None, "is missing"),
        ({"2023/counties.csv.gz": [("44030X", "坏区", "4403")]}, None, "bad code 44030X"),
        ({"2023/counties.csv.gz": [("4403051", "长区", "4403")]}, None, "bad code 4403051"),
        ({"2023/cities.csv.gz": [("4403", "深圳市", "45")]}, None, "does not match its parent"),
        ({"2023/cities.csv.gz": [("4403", "", "44")]}, None, "bad name"),
        (
            {"2023/provinces.csv.gz": [("44", "广东省", ""), ("44", "广东省", "")]},
            None,
            "duplicate",
        ),
        ({"2021/villages.csv.gz": [("11010100100A", "坏村", "110101001")]}, None, "bad code"),
    ],
)
def test_r_jur_1_malformed_file_raises_and_writes_nothing(tiny_data, replace, header, message):
    # A new province and a renamed one come first, so a partial write would be visible.
    provinces = replace.pop("2023/provinces.csv.gz", [("11", "北京市改", ""), ("44", "广东省", "")])
    data = tiny_data(
        {"2023/provinces.csv.gz": [*provinces, ("98", "测试省", "")], **replace},
        header=header or ("code", "name", "parent_code"),
    )
    before = Division.objects.count()

    with pytest.raises(DivisionDataError, match=message):
        load_divisions(data)

    assert Division.objects.count() == before
    assert Division.objects.get(code="11").name == "北京市"
    assert not Division.objects.filter(code="98").exists()


def test_r_jur_1_missing_file_raises(tiny_data):
    data = tiny_data()
    (data / "divisions" / "2021" / "villages.csv.gz").unlink()

    with pytest.raises(DivisionDataError, match="file not found"):
        load_divisions(data)


def test_r_jur_1_bad_within_prefix_is_refused():
    with pytest.raises(ValueError, match="Not a division code"):
        load_divisions(within=["44x"])


def test_r_jur_1_command_prints_counts_and_says_when_nothing_changed(tiny_data, capsys):
    data = tiny_data()

    call_command("divisions", "load", "--data-dir", str(data))
    call_command("divisions", "load", "--data-dir", str(data))

    out = capsys.readouterr().out
    assert "Nothing changed (10 divisions up to date" in out
    assert "2 villages of 2021 skipped" in out
