"""The standard cast and the division subset every test can rely on (STYLE.md, Tests)."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from yipanqi.people import idnumbers

NANSHAN_VILLAGE = "440305001001"  # 广东省 › 深圳市 › 南山区 › 南头街道 › 南头城社区
NANSHAN_TOWNSHIP = "440305001"
SANTAI_TOWNSHIP = "510722101"  # 四川省 › 绵阳市 › 三台县 › 潼川镇
SANTAI_VILLAGE = "510722101002"
XUANWU_COUNTY = "320102"  # 江苏省 › 南京市 › 玄武区
GUANGDONG = "44"
SICHUAN = "51"
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """That day at that hour in Beijing (deadlines are counted in Beijing's working days)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@pytest.fixture
def english(client):
    """Match messages in their English source form: in code, and in pages via the cookie.
    An app's conftest that wants it for every test asks for it from an autouse fixture."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _audit_anchor_file(settings, tmp_path):
    """Each test its own audit checkpoint file: a checkpoint outlives the test's rollback."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from yipanqi.divisions.testing import load_test_divisions

    with django_db_blocker.unblock():
        load_test_divisions()


@pytest.fixture
def divisions(transactional_db):
    """A transactional test starts from flushed tables: load the test divisions again, and the
    regions with their rule sets that the migrations seed (every deadline is read from them)."""
    from yipanqi.divisions.testing import load_test_divisions
    from yipanqi.regions.seed import seed_regions

    load_test_divisions()
    seed_regions()


def make_user(username: str, role: str, jurisdiction: str | None, **extra):
    from yipanqi.accounts.models import User

    return User.objects.create_user(
        username=username,
        password="correct-horse-battery-9",
        role=role,
        jurisdiction_id=jurisdiction,
        display_name=extra.pop("display_name", username),
        **extra,
    )


@pytest.fixture
def village_worker(db):
    """A village worker in 深圳南山区 (the residence side of most scenarios)."""
    return make_user("alice", "village_worker", NANSHAN_VILLAGE)


@pytest.fixture
def township_operator(db):
    """A township operator in 四川三台县 (the home side)."""
    return make_user("bob", "township_operator", SANTAI_TOWNSHIP)


@pytest.fixture
def other_county_admin(db):
    """A county administrator of 南京玄武区, who must see neither side's persons."""
    return make_user("charlie", "county_admin", XUANWU_COUNTY)


@pytest.fixture
def residence_township(db):
    """A township operator of 南头街道 (南山区), the residence township."""
    return make_user("nina", "township_operator", NANSHAN_TOWNSHIP)


@pytest.fixture
def sichuan_admin(db):
    return make_user("sam", "province_admin", SICHUAN)


@pytest.fixture
def person(register_inflow):
    """王芳, home 三台县 (四川), living in 南山区 (广东), registered by the 南山 village worker."""
    return register_inflow().person


@pytest.fixture
def province_admin(db):
    return make_user("dora", "province_admin", GUANGDONG)


@pytest.fixture
def auditor(db):
    return make_user("eve", "auditor", None)


def id_for(area: str = "510722", birth: dt.date = dt.date(1995, 4, 12), seq: int = 7, sex="F"):
    return idnumbers.make(area, birth, seq, sex)


@pytest.fixture
def register_inflow(village_worker):
    """Register a woman from 三台县 living in 南山区, through the real service."""
    from yipanqi.people.services import RegistrationInput, register

    def _register(user=None, **overrides):
        data = {
            "id_number": id_for(),
            "name": "王芳",
            "home_code": SANTAI_VILLAGE,
            "residence_code": NANSHAN_VILLAGE,
            "arrival_date": dt.date(2026, 3, 2),
            "reason": "work",
            "marital_status": "first_marriage",
            "phone": "13800138000",
        }
        data.update(overrides)
        return register(
            RegistrationInput(**data), kind="inflow", acting_user=user or village_worker
        )

    return _register


def report_services(
    person, acting_user, *, key: str, given=(("reproductive_checkup", dt.date(2026, 3, 10)),)
):
    """R-SVC-2: free services given in 南山 (a check-up on 2026-03-10 unless told), then the
    service report for the first half of 2026 sent home; returns the report."""
    from yipanqi.services import services

    for service_type, day in given:
        services.record_service(
            services.ServiceInput(
                person_id=person.pk,
                service_type=service_type,
                given_on=day,
                provider="南头街道计生服务站",
                amount_charged=0,
            ),
            acting_user=acting_user,
        )
    return services.send_service_report(
        services.ReportInput(
            person_id=person.pk,
            period_from=dt.date(2026, 1, 1),
            period_to=dt.date(2026, 6, 30),
            contraception="口服避孕药",
            idempotency_key=key,
        ),
        acting_user=acting_user,
    )
