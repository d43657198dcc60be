"""R-REG-1 and R-REG-2: regions are data, and each request says which rule set it used and why."""

import datetime as dt

import pytest

from yipanqi.core.errors import Rejected
from yipanqi.regions.models import Region, RuleSet
from yipanqi.regions.rules import (
    pick_rules,
    province_region,
    revise_rules,
)

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 9, 18)


def test_r_reg_1_the_three_regions_and_the_national_default_are_seeded():
    regions = {r.code: r for r in Region.objects.all()}
    assert sorted(regions["pan-yangtze"].provinces) == sorted(
        ["31", "32", "33", "34", "36", "41", "42"]
    )
    assert sorted(regions["bohai-rim"].provinces) == sorted(
        ["11", "12", "13", "37", "21", "23", "22", "41", "14", "15"]
    )
    assert sorted(regions["pan-pearl"].provinces) == sorted(
        ["35", "36", "43", "44", "45", "46", "50", "51", "52", "53"]
    )
    assert regions["national"].kind == "national"
    assert all(r.rule_sets.exists() for r in regions.values())


def test_r_reg_2_a_pair_in_one_region_uses_that_region():
    choice = pick_rules("440305001001", "510722101", on=ON, request_type="verification")
    assert choice.rule_set.region.code == "pan-pearl"
    assert choice.reason == "region 泛珠三角"


def test_r_reg_2_same_province_uses_its_own_parameters():
    choice = pick_rules("320102", "320583", on=ON, request_type="co_investigation")
    assert choice.rule_set.region.code == "province-32"
    assert choice.reason == "same province 江苏"
    assert choice.rule_set.deadline_for("co_investigation") == 7


def test_r_reg_2_same_province_without_own_parameters_falls_to_its_region():
    choice = pick_rules("440305", "441900", on=ON, request_type="verification")
    assert choice.rule_set.region.code == "pan-pearl"


def test_r_reg_2_several_regions_cover_the_pair_the_strictest_deadline_wins():
    # 河南 is in 泛长三角 and 环渤海; within 河南 (no own parameters) both cover the pair.
    choice = pick_rules("419001", "410102", on=ON, request_type="verification")
    assert choice.rule_set.region.code == "pan-yangtze"
    assert choice.basis == "regions_strictest"
    assert choice.reason == "regions 环渤海 and 泛长三角, strictest 泛长三角: 10 working days"


def test_r_reg_2_when_bohai_is_stricter_for_a_type_it_wins(province_admin):
    from conftest import make_user

    beijing = make_user("bea", "province_admin", "11")  # 环渤海's convenor
    bohai = Region.objects.get(code="bohai-rim")
    revise_rules(
        bohai,
        effective_from=ON,
        deadlines={"verification": 5},
        acting_user=beijing,
    )
    choice = pick_rules("419001", "410102", on=ON, request_type="verification")
    assert choice.rule_set.region.code == "bohai-rim"
    assert "strictest 环渤海: 5 working days" in choice.reason


def test_r_reg_2_a_pair_in_no_common_region_uses_the_national_default():
    # 河南 (泛长三角, 环渤海) and 广东 (泛珠三角) share no region.
    choice = pick_rules("419001", "440305", on=ON, request_type="verification")
    assert choice.rule_set.region.code == "national"
    assert choice.reason == "national default"


def test_r_reg_1_a_revision_is_a_new_version_and_history_stays(province_admin):
    region = province_region("44")
    first = revise_rules(
        region, effective_from=dt.date(2026, 1, 1), deadlines={"verification": 12},
        acting_user=province_admin,
    )  # fmt: skip
    second = revise_rules(
        region, effective_from=dt.date(2026, 10, 1), deadlines={"verification": 8},
        acting_user=province_admin,
    )  # fmt: skip
    assert RuleSet.objects.filter(region=region).count() == 2
    before = pick_rules("440305", "441900", on=dt.date(2026, 9, 30), request_type="verification")
    after = pick_rules("440305", "441900", on=dt.date(2026, 10, 1), request_type="verification")
    assert (before.rule_set, after.rule_set) == (first, second)
    assert after.reason == "same province 广东"


def test_r_reg_1_only_the_regions_province_admins_revise_it(province_admin, township_operator):
    yangtze = Region.objects.get(code="pan-yangtze")
    with pytest.raises(Rejected):
        revise_rules(yangtze, effective_from=ON, deadlines={}, acting_user=province_admin)
    with pytest.raises(Rejected):
        revise_rules(
            Region.objects.get(code="pan-pearl"),
            effective_from=ON,
            deadlines={},
            acting_user=township_operator,
        )


def test_r_reg_1_deadlines_out_of_range_are_refused(province_admin):
    with pytest.raises(Rejected) as err:
        revise_rules(
            Region.objects.get(code="pan-pearl"),
            effective_from=ON,
            deadlines={"verification": 0},
            acting_user=province_admin,
        )
    assert "verification" in err.value.errors


@pytest.mark.django_db
def test_r_ex_2_a_type_no_rule_set_names_gets_the_statutory_15_days():
    from yipanqi.regions.models import RuleSet
    from yipanqi.regions.rules import deadline_days, pick_rules

    for rule_set in RuleSet.objects.all():
        rule_set.deadlines = {k: v for k, v in rule_set.deadlines.items() if k != "birth_report"}
        rule_set.save(update_fields=["deadlines"])
    choice = pick_rules("440305", "510722", on=dt.date(2026, 11, 24), request_type="birth_report")
    assert deadline_days(choice, "birth_report", dt.date(2026, 11, 24)) == 15


def test_r_reg_1_a_regions_rules_are_changed_by_its_convenor_not_by_a_member(
    province_admin, sichuan_admin, client
):
    """泛珠三角: 广东 convenes; 四川 is a member and may read but not change its rules."""
    from conftest import make_user
    from yipanqi.regions.rules import can_revise

    pearl = Region.objects.get(code="pan-pearl")
    assert {r.code: r.convenor for r in Region.objects.filter(kind="region")} == {
        "pan-yangtze": "31",
        "bohai-rim": "11",
        "pan-pearl": "44",
    }
    assert not can_revise(sichuan_admin, pearl)
    with pytest.raises(Rejected):
        revise_rules(
            pearl, effective_from=ON, deadlines={"verification": 9}, acting_user=sichuan_admin
        )
    client.force_login(sichuan_admin)
    page = client.get("/exchange/rules/pan-pearl/")
    assert page.status_code == 200
    assert "Save as a new version" not in page.content.decode()
    assert "Only the convenor province (广东)" in page.content.decode()
    refused = client.post("/exchange/rules/pan-pearl/", {"effective_from": "2026-10-01"})
    assert refused.status_code == 404
    assert RuleSet.objects.filter(region=pearl, created_by=sichuan_admin).count() == 0
    # 四川 still changes its own province's parameters; the convenor and the nation the region's.
    assert can_revise(sichuan_admin, province_region("51"))
    revise_rules(
        pearl, effective_from=ON, deadlines={"verification": 9}, acting_user=province_admin
    )
    national = make_user("nat", "national_admin", None)
    assert can_revise(national, pearl)


def test_r_reg_1_every_request_type_has_its_deadline_on_the_rules_pages():
    """exchange registers its request types at start-up; regions itself knows no request model."""
    from yipanqi.exchange.models import RequestType
    from yipanqi.regions.rules import deadline_kinds

    assert deadline_kinds() == list(RequestType.choices)
