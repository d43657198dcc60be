"""R-DIR-1: each unit from township up keeps its entry, searchable within its region.
R-DIR-2: public pages with service institutions, supply points, offices, 12356 and the form."""

import pytest

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, SANTAI_TOWNSHIP, make_user
from yipanqi.core.errors import Rejected
from yipanqi.directory import services
from yipanqi.directory.models import UnitContact
from yipanqi.services import services as free_services

pytestmark = pytest.mark.django_db


def _entry(user, **overrides):
    data = {
        "unit_name": "三台县潼川镇计划生育办公室",
        "contact_person": "刘敏",
        "title": "主任",
        "phone": "0816-5221234",
        "fax": "0816-5221235",
        "email": "tongchuan@example.cn",
        "address": "三台县潼川镇北坝路12号",
        "postcode": "621100",
    }
    data.update(overrides)
    return services.save_contact(services.ContactInput(**data), acting_user=user)


def test_r_dir_1_township_keeps_its_entry(township_operator):
    """R-DIR-1: the township creates its entry, then changes the contact person; one row."""
    _entry(township_operator)
    _entry(township_operator, contact_person="陈静")

    entry = UnitContact.objects.get()
    assert entry.unit_id == SANTAI_TOWNSHIP
    assert entry.contact_person == "陈静"


def test_r_dir_1_a_village_has_no_entry(village_worker):
    """R-DIR-1: units from township up publish; a village worker cannot."""
    with pytest.raises(Rejected, match="a village has none"):
        _entry(village_worker)


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "call me"), ("email", "not-an-email"), ("postcode", "62110"), ("unit_name", "")],
)
def test_r_dir_1_bad_details_are_refused(township_operator, field, value):
    """R-DIR-1: a bad phone, email or postcode gets a plain message; nothing is saved."""
    with pytest.raises(Rejected) as exc:
        _entry(township_operator, **{field: value})

    assert field in exc.value.errors
    assert not UnitContact.objects.exists()


def test_r_dir_1_searchable_in_the_region_and_not_outside(
    township_operator, province_admin, other_county_admin
):
    """R-DIR-1: 四川 and 广东 share 泛珠三角, so 广东's administrator finds 三台's entry;
    玄武区 (江苏, 泛长三角 only) does not."""
    _entry(township_operator)

    found = services.search_directory(province_admin, q="潼川")
    outside = services.search_directory(other_county_admin, q="潼川")

    assert [c.unit_id for c in found] == [SANTAI_TOWNSHIP]
    assert not outside.exists()


def test_r_dir_1_directory_pages(township_operator, province_admin, client):
    """R-DIR-1: the entry is edited on /directory/mine/ and found on /directory/."""
    client.force_login(township_operator)
    response = client.post(
        "/directory/mine/",
        {
            "unit_name": "潼川镇计生办",
            "contact_person": "刘敏",
            "phone": "0816-5221234",
            "address": "北坝路12号",
        },
    )
    assert response.status_code == 302
    client.force_login(province_admin)

    page = client.get("/directory/", {"q": "潼川"}).content.decode()

    assert "潼川镇计生办" in page
    assert "0816-5221234" in page


def test_r_dir_2_public_page_lists_points_offices_and_hotline(client):
    """R-DIR-2 / R-ACC-3: without logging in, choosing 南山区 shows its supply points and
    institutions, the offices above the place, the 12356 hotline and the complaint form."""
    township = make_user("nan", "township_operator", NANSHAN_TOWNSHIP)
    for kind, name in (
        ("service_station", "南头街道计生服务站"),
        ("dispenser", "南头城自助发放机"),
    ):
        free_services.save_supply_point(
            free_services.SupplyPointInput(
                division_code=NANSHAN_VILLAGE,
                kind=kind,
                name=name,
                address="南头城社区",
                hours="周一至周五 8:30–17:30",
                phone="0755-26661234",
            ),
            acting_user=township,
        )
    _entry(township, unit_name="南头街道计生办", phone="0755-26660000", address="南头街道")

    page = client.get("/public/", {"code": "440305"}).content.decode()

    assert "12356" in page
    assert "南头街道计生服务站" in page
    assert "南头城自助发放机" in page
    assert "周一至周五 8:30–17:30" in page
    assert "/public/complaint/" in page
    # The offices on the path of the place chosen: 南头街道 is below 南山区, not on its path.
    assert "南头街道计生办" not in page
    village_page = client.get("/public/", {"code": NANSHAN_VILLAGE}).content.decode()
    assert "南头街道计生办" in village_page
    assert "刘敏" not in village_page  # the contact person stays internal


def test_r_dir_2_public_picker_works_without_login(client):
    """R-DIR-2: the division picker of the public pages lists children and names a code."""
    children = client.get("/public/divisions/440305/")
    lookup = client.get("/public/division/440305")

    assert children.status_code == 200
    assert "南头街道" in children.content.decode()
    assert lookup.json()["path_name"].endswith("南山区")
    assert client.get("/public/division/99").status_code == 404


def test_r_dir_2_unknown_place_is_a_plain_error(client):
    """R-DIR-2: a code that is no division gets a message, not an error page."""
    response = client.get("/public/", {"code": "999999"})

    assert response.status_code == 200
    assert "There is no division with code 999999." in response.content.decode()
