"""R-SVC-1 and R-SVC-3: services given at the residence, charges on basic services as
violations, and the yearly check-up frequency from the region's parameters."""

import datetime as dt
from decimal import Decimal

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for, make_user
from yipanqi.core.errors import Rejected
from yipanqi.grievances.models import Category, Channel, ComplaintStatus
from yipanqi.services import services
from yipanqi.services.models import ServiceRecord

pytestmark = pytest.mark.django_db


def _give(user, person, **overrides):
    data = {
        "person_id": person.pk,
        "service_type": "reproductive_checkup",
        "given_on": dt.date(2026, 4, 10),
        "provider": "南头街道计生服务站",
        "amount_charged": 0,
    }
    data.update(overrides)
    return services.record_service(services.ServiceInput(**data), acting_user=user)


def test_r_svc_1_free_basic_service_is_recorded_without_violation(village_worker, person):
    """R-SVC-1: a check-up given free is recorded with type, date, provider and charge 0."""
    recorded = _give(village_worker, person)

    record = recorded.record
    assert record.service_type.code == "reproductive_checkup"
    assert record.amount_charged == Decimal("0")
    assert record.unit_id == NANSHAN_VILLAGE
    assert record.charged_violation is False
    assert record.complaint is None
    assert recorded.warnings == []


def test_r_svc_1_charge_on_basic_service_is_a_violation_with_a_complaint(
    village_worker, person, province_admin
):
    """R-SVC-1: an IUD insertion recorded with a 120 yuan charge is flagged, opens a complaint
    for the township that answers for the provider, and shows in the province's violation list."""
    recorded = _give(village_worker, person, service_type="iud_insertion", amount_charged="120.00")

    record = recorded.record
    assert record.charged_violation is True
    complaint = record.complaint
    assert complaint.category == Category.CHARGED_FOR_FREE_SERVICE
    assert complaint.channel == Channel.AUTOMATIC
    assert complaint.assigned_to_id == NANSHAN_VILLAGE[:9]
    assert complaint.person == person
    assert complaint.status == ComplaintStatus.OPEN
    assert "rights violation" in recorded.warnings[0]
    assert list(services.list_violations(province_admin)) == [record]


def test_r_svc_1_charge_on_a_service_outside_the_free_list_is_no_violation(
    village_worker, person, province_admin
):
    """R-SVC-1: only basic services must be free; an optional examination may be charged."""
    record = _give(
        village_worker, person, service_type="extended_gynaecological_exam", amount_charged=80
    ).record

    assert record.charged_violation is False
    assert record.complaint is None
    assert not services.list_violations(province_admin).exists()


def test_r_svc_1_violations_are_not_listed_for_another_county(
    village_worker, person, other_county_admin
):
    """R-SVC-1 / R-ACC-2: 玄武区 does not see 南山区's violations."""
    _give(village_worker, person, service_type="condoms", amount_charged=5)

    assert not services.list_violations(other_county_admin).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("service_type", "massage", "Please choose a service from the list."),
        ("amount_charged", "-3", "Please enter an amount in yuan"),
        ("amount_charged", "abc", "Please enter an amount in yuan"),
        ("given_on", dt.date(2099, 1, 1), "The date cannot be in the future."),
        ("provider", "  ", "Please enter who gave the service."),
    ],
)
def test_r_svc_1_bad_input_is_refused_and_nothing_is_written(
    village_worker, person, field, value, message
):
    """R-SVC-1: a bad entry gets a plain message and changes nothing."""
    with pytest.raises(Rejected) as exc:
        _give(village_worker, person, **{field: value})

    assert message in " ".join(exc.value.errors[field])
    assert not ServiceRecord.objects.exists()


def test_r_svc_1_home_side_cannot_record_services(township_operator, person):
    """R-SVC-1: services are given and recorded by the residence, not by the home township."""
    with pytest.raises(Rejected, match="place of residence"):
        _give(township_operator, person)


def test_r_svc_1_outsider_cannot_record_for_a_person_they_cannot_see(other_county_admin, person):
    """R-ACC-2: another county cannot record a service for the person."""
    with pytest.raises(Rejected, match="No such person"):
        _give(other_county_admin, person)


def test_r_svc_3_third_checkup_in_jiangsu_is_recorded_with_a_warning(register_inflow):
    """R-SVC-3: in 江苏 (at most twice a year) the third check-up of the year warns and is
    recorded with the limit it exceeded; a check-up in another year does not count."""
    township = "320102002"  # 南京玄武区 梅园新村街道
    worker = make_user("jiang", "township_operator", township)
    person = register_inflow(
        user=worker, residence_code=township, id_number=id_for(seq=31), home_code=SANTAI_VILLAGE
    ).person

    first = _give(worker, person, given_on=dt.date(2026, 2, 1))
    second = _give(worker, person, given_on=dt.date(2026, 6, 1))
    third = _give(worker, person, given_on=dt.date(2026, 9, 1))
    last_year = _give(worker, person, given_on=dt.date(2025, 11, 5))

    assert first.warnings == second.warnings == []
    assert third.record.checkup_limit_exceeded == 2
    assert "at most 2 a year" in third.warnings[0]
    assert "江苏" in third.warnings[0]
    assert last_year.warnings == []
    assert last_year.record.checkup_limit_exceeded is None
    frequency = services.checkup_frequency(person, 2026, township)
    assert (frequency.count, frequency.maximum, frequency.over_maximum) == (3, 2, True)


def test_r_svc_3_guangdong_has_no_maximum(village_worker, person):
    """R-SVC-3: 泛珠三角 sets no yearly maximum: three check-ups in 深圳 warn of nothing."""
    results = [_give(village_worker, person, given_on=dt.date(2026, m, 1)) for m in (2, 5, 8)]

    assert all(r.warnings == [] for r in results)
    assert services.checkup_frequency(person, 2026, NANSHAN_VILLAGE).maximum is None


def test_r_svc_3_bohai_minimum_is_reported(register_inflow):
    """R-SVC-3: 环渤海 (北京) asks for at least two a year: one check-up is below the minimum."""
    beijing_township = "110101001"
    worker = make_user("bei", "township_operator", beijing_township)
    person = register_inflow(
        user=worker, residence_code=beijing_township, id_number=id_for(seq=41)
    ).person
    _give(worker, person, given_on=dt.date(2026, 3, 3))

    frequency = services.checkup_frequency(person, 2026, beijing_township)

    assert (frequency.count, frequency.minimum, frequency.below_minimum) == (1, 2, True)


def test_r_stat_1_a_service_names_the_stay_it_was_given_under(village_worker, person):
    """R-STAT-1 service coverage counts by stay: a service names her inflow registration here,
    open on the day given (she arrived on 2 March 2026); one given before it names none."""
    stay = person.registrations.get(kind="inflow")

    during = _give(village_worker, person, given_on=dt.date(2026, 4, 10)).record
    before = _give(village_worker, person, given_on=dt.date(2026, 2, 27)).record

    assert during.registration == stay
    assert before.registration is None
    assert services.stay_of(person, dt.date(2026, 3, 2), NANSHAN_VILLAGE) == stay
    assert services.stay_of(person, dt.date(2026, 3, 2), "320102") is None  # not her residence
