"""End to end in headless Chromium (R-DIR-1, R-DIR-2, R-SVC-4): the 南头 township keeps its
directory entry and a dispenser on a phone; 广东's administrator finds 三台's entry in the
region; a citizen picks 广东 › 深圳 › 南山区 › 南头街道 and sees the dispenser and 12356."""

import pytest

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, SANTAI_TOWNSHIP, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def seeded(divisions):
    from yipanqi.regions.seed import seed_regions
    from yipanqi.services.seed import seed_all

    seed_regions()
    seed_all()


def _choose(page, level: int, code: str):
    select = page.locator(f"select[data-level='{level}']")
    select.wait_for()
    select.select_option(code)


def test_r_dir_1_r_dir_2_directory_supply_point_and_public_page(seeded, new_page, shot):
    make_user("nan", "township_operator", NANSHAN_TOWNSHIP)
    make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    make_user("dora", "province_admin", "44")

    for username, unit_name, phone in (
        ("nan", "南头街道计划生育办公室", "0755-26660000"),
        ("bob", "潼川镇计划生育办公室", "0816-5221234"),
    ):
        township = new_page(PHONE)
        log_in(township, username)
        township.goto("/directory/mine/")
        township.fill("input[name=unit_name]", unit_name)
        township.fill("input[name=contact_person]", "刘敏")
        township.fill("input[name=phone]", phone)
        township.fill("input[name=address]", "办公楼一层")
        township.click("form button[type=submit].primary")
        township.wait_for_url("**/directory/")
    shot(township, "1-directory")

    township = new_page(PHONE)
    log_in(township, "nan")
    township.goto("/services/supply-points/")
    township.select_option("select[name=division_code]", NANSHAN_VILLAGE)
    township.select_option("select[name=kind]", "dispenser")
    township.fill("input[name=name]", "南头城自助发放机")
    township.fill("input[name=address]", "南头城社区服务中心门口")
    township.fill("input[name=hours]", "24小时")
    township.click("form button[type=submit].primary")
    township.locator("table.list", has_text="南头城自助发放机").wait_for()
    shot(township, "2-supply-points")

    admin = new_page(DESKTOP)
    log_in(admin, "dora")
    admin.goto("/directory/")
    admin.fill("input[name=q]", "潼川")
    admin.click("form.grid button[type=submit]")
    assert "0816-5221234" in admin.inner_text("table.list")
    shot(admin, "3-region-search")

    citizen = new_page(PHONE)
    citizen.goto("/login/")
    citizen.click("a[href='/public/']")
    citizen.wait_for_url("**/public/")
    assert "12356" in citizen.inner_text("main")
    for level, code in ((1, "44"), (2, "4403"), (3, "440305"), (4, NANSHAN_TOWNSHIP)):
        _choose(citizen, level, code)
    citizen.locator("select[data-level='5']").wait_for()
    citizen.click("form button[type=submit].primary")
    citizen.locator("#supply-points").wait_for()
    assert "南头城自助发放机" in citizen.inner_text("#supply-points")
    assert "24小时" in citizen.inner_text("#supply-points")
    assert "南头街道计划生育办公室" in citizen.inner_text("#offices")
    shot(citizen, "4-public")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling"
    assert citizen.js_errors == [] and township.js_errors == [] and admin.js_errors == []
