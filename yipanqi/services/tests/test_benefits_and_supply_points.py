"""R-SVC-5: one-child parents' benefits recorded by the home side, one from each home for a
two-province couple, visible to the residence. R-SVC-4: supply points kept by townships."""

import datetime as dt

import pytest

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, SANTAI_TOWNSHIP, id_for, make_user
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.services import services
from yipanqi.services.models import Benefit, SupplyPoint

pytestmark = pytest.mark.django_db

XUANWU_TOWNSHIP = "320102002"


def _benefit(user, person, **overrides):
    data = {
        "person_id": person.pk,
        "kind": "honour_certificate",
        "issued_on": dt.date(2026, 5, 1),
        "number": "川独字2026第0012号",
    }
    data.update(overrides)
    return services.record_benefit(services.BenefitInput(**data), acting_user=user)


@pytest.fixture
def couple(register_inflow):
    """王芳 (home 三台, 四川) and her husband 李强 (home 玄武, 江苏), both living in 南山.

    The registry's marriage link (Person.spouse) is made by registering him as her husband."""
    wife = register_inflow().person
    husband = register_inflow(
        id_number=id_for("320102", dt.date(1993, 1, 5), seq=11, sex="M"),
        name="李强",
        home_code="320102002001",
        spouse_id=wife.pk,  # R-JUR-3: registered as her husband, which links the two
    ).person
    wife.refresh_from_db()
    husband.refresh_from_db()
    return wife, husband


def test_r_svc_5_two_province_couple_gets_one_from_each_home(
    couple, township_operator, village_worker
):
    """R-SVC-5: 三台 records the wife's certificate, 玄武 the husband's; the residence (南山)
    sees both on either spouse's page."""
    wife, husband = couple
    jiangsu = make_user("jia", "township_operator", XUANWU_TOWNSHIP)

    first = _benefit(township_operator, wife)
    second = _benefit(jiangsu, husband, number="苏独字2026第0345号")

    assert (first.issuing_unit_id, second.issuing_unit_id) == (SANTAI_TOWNSHIP, XUANWU_TOWNSHIP)
    seen = services.couple_benefits(village_worker, wife)
    assert {b.pk for b in seen} == {first.pk, second.pk}


def test_r_svc_5_one_province_couple_gets_one(register_inflow, township_operator):
    """R-SVC-5: when both homes are in 四川 and the husband already has the certificate, the
    wife's home side is told the couple has one."""
    wife = register_inflow().person
    husband = register_inflow(
        id_number=id_for("510722", dt.date(1992, 2, 2), seq=13, sex="M"),
        name="张伟",
        spouse_id=wife.pk,  # R-JUR-3: registered as her husband, which links the two
    ).person
    _benefit(township_operator, husband)
    wife.refresh_from_db()

    with pytest.raises(Rejected, match="same province"):
        _benefit(township_operator, wife, number="川独字2026第0013号")
    assert Benefit.objects.count() == 1


def test_r_svc_5_only_the_home_side_records_benefits(couple, village_worker):
    """R-SVC-5: the residence sees benefits but does not issue them."""
    wife, _husband = couple

    with pytest.raises(Rejected, match="home side"):
        _benefit(village_worker, wife)


def test_r_svc_5_a_reward_once_per_year_and_a_certificate_once(couple, township_operator):
    """R-SVC-5: the same certificate or the same year's reward twice is refused plainly."""
    wife, _husband = couple
    _benefit(township_operator, wife)
    _benefit(township_operator, wife, kind="reward", year=2025, amount="120.00", number="")

    with pytest.raises(Rejected, match="already has an honour certificate"):
        _benefit(township_operator, wife, number="X-2")
    with pytest.raises(Rejected, match="reward for 2025"):
        _benefit(township_operator, wife, kind="reward", year=2025, amount="120", number="")


def test_r_svc_5_person_page_shows_benefits_to_the_residence(
    couple, township_operator, village_worker, client
):
    """R-SVC-5: the 南山 worker's person page lists the certificate issued by 三台."""
    wife, _husband = couple
    _benefit(township_operator, wife)
    client.force_login(village_worker)

    page = client.get(f"/persons/{wife.pk}/").content.decode()

    assert "川独字2026第0012号" in page
    assert "One-child parents&#x27; honour certificate" in page


def _point(user, **overrides):
    data = {
        "division_code": NANSHAN_VILLAGE,
        "kind": "dispenser",
        "name": "南头城社区自助发放机",
        "address": "南头城社区服务中心门口",
        "hours": "24小时",
    }
    data.update(overrides)
    return services.save_supply_point(services.SupplyPointInput(**data), acting_user=user)


@pytest.fixture
def nanshan_township_operator(db):
    return make_user("nan", "township_operator", NANSHAN_TOWNSHIP)


def test_r_svc_4_township_adds_and_withdraws_a_supply_point(nanshan_township_operator):
    """R-SVC-4: the township lists a dispenser with address and hours; withdrawn, it is kept
    but no longer listed publicly."""
    point = _point(nanshan_township_operator)

    assert list(services.list_supply_points("440305")) == [point]
    _point(nanshan_township_operator, active=False)  # a second, withdrawn one
    services.save_supply_point(
        services.SupplyPointInput(
            division_code=NANSHAN_VILLAGE,
            kind="dispenser",
            name=point.name,
            address=point.address,
            hours="8:00–22:00",
            active=False,
        ),
        acting_user=nanshan_township_operator,
        point_id=point.pk,
    )

    assert not services.list_supply_points("440305").exists()
    assert SupplyPoint.objects.count() == 2


def test_r_svc_4_only_townships_edit_their_own_points(
    nanshan_township_operator, township_operator, village_worker
):
    """R-SVC-4: a village worker cannot add one; 三台's township cannot touch 南山's."""
    point = _point(nanshan_township_operator)

    with pytest.raises(Rejected, match="kept by the township"):
        _point(village_worker)
    with pytest.raises(Rejected, match="your township"):
        _point(township_operator)
    with pytest.raises(NotFound):
        services.save_supply_point(
            services.SupplyPointInput(
                division_code=SANTAI_TOWNSHIP, kind="dispenser", name="x", address="y", hours="z"
            ),
            acting_user=township_operator,
            point_id=point.pk,
        )


def test_r_svc_4_missing_hours_are_refused(nanshan_township_operator):
    """R-SVC-4: address and hours are what the public needs: both are required."""
    with pytest.raises(Rejected) as exc:
        _point(nanshan_township_operator, hours="", address="")

    assert set(exc.value.errors) == {"hours", "address"}
    assert not SupplyPoint.objects.exists()
