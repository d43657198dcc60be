"""Issue 7, item 4: break-the-glass. R-ACC-2 keeps persons to their two jurisdictions; in an
emergency a user may open one person outside their scope only by stating a reason, for a
limited time, audited, and shown to both of the person's jurisdictions."""

import pytest
from django.test import Client
from django.utils import timezone, translation

from conftest import id_for, make_user
from yipanqi.accounts.models import ApiToken, EmergencyAccess
from yipanqi.audit.models import AuditEvent
from yipanqi.emergency import services as emergency

REASON = "急诊抢救，需要核实婚育情况"


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in their English source form."""
    with translation.override("en"):
        yield


@pytest.fixture
def person(register_inflow):
    return register_inflow().person


def _client(user):
    client = Client()
    client.cookies["django_language"] = "en"  # pages in their English source form
    client.force_login(user)
    return client


def test_r_acc_2_outsider_opens_a_person_only_with_a_reason(person, other_county_admin):
    """Issue 7.4: 404 before; a too-short reason is refused and grants nothing; a reason opens
    the person's page for two hours and is written to the audit trail."""
    client = _client(other_county_admin)
    assert client.get(f"/persons/{person.pk}/").status_code == 404
    refused = client.post(
        "/account/emergency-access/", {"id_number": id_for(), "case": "medical", "reason": "看"}
    )
    assert refused.status_code == 400
    assert not EmergencyAccess.objects.exists()

    opened = client.post(
        "/account/emergency-access/", {"id_number": id_for(), "case": "medical", "reason": REASON}
    )
    assert opened.status_code == 302 and opened["Location"] == f"/persons/{person.pk}/"
    page = client.get(f"/persons/{person.pk}/")
    assert page.status_code == 200 and "王芳" in page.content.decode()
    grant = EmergencyAccess.objects.get()
    assert 119 <= (grant.expires_at - grant.granted_at).total_seconds() / 60 <= 121
    row = AuditEvent.objects.get(action="break_glass", actor=other_county_admin)
    assert (row.person_id, row.reason) == (person.pk, REASON)
    assert id_for() not in str(row.detail)


def test_r_acc_2_both_jurisdictions_see_the_emergency_access(
    person, other_county_admin, village_worker, township_operator
):
    """Issue 7.4: the residence (南山区) and the home side (三台县) see who opened her and why."""
    emergency.open_in_emergency(
        id_for(), case="medical", reason=REASON, acting_user=other_county_admin
    )
    for user in (village_worker, township_operator):
        page = _client(user).get("/account/emergency-access/").content.decode()
        assert REASON in page and "charlie" in page
    unrelated = make_user("zed", "county_admin", "330106")
    assert REASON not in _client(unrelated).get("/account/emergency-access/").content.decode()


def test_r_acc_2_the_grant_expires_and_the_api_follows_it(person, other_county_admin):
    """Issue 7.4: during the grant the API answers too; after it, 404 again on both."""
    emergency.open_in_emergency(
        id_for(), case="medical", reason=REASON, acting_user=other_county_admin
    )
    _token, key = ApiToken.issue(other_county_admin)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(f"/api/v1/persons/{person.pk}").status_code == 200
    EmergencyAccess.objects.update(expires_at=timezone.now())
    assert api.get(f"/api/v1/persons/{person.pk}").status_code == 404
    assert _client(other_county_admin).get(f"/persons/{person.pk}/").status_code == 404


def test_r_acc_2_separated_administrators_cannot_break_the_glass(person, auditor):
    """Issue 7.2 + 7.4: 三员 roles never read persons, not even in an emergency."""
    with pytest.raises(emergency.EmergencyRefused):
        emergency.open_in_emergency(id_for(), case="medical", reason=REASON, acting_user=auditor)
    assert (
        _client(make_user("sam", "system_admin", None))
        .get("/account/emergency-access/")
        .status_code
        == 404
    )


def test_r_acc_2_emergency_access_is_limited_per_day(person, other_county_admin, settings):
    """Issue 7.4: it cannot become a quiet way around the scope: a few per day, then refused."""
    settings.BREAK_GLASS_PER_DAY = 1
    emergency.open_in_emergency(
        id_for(), case="medical", reason=REASON, acting_user=other_county_admin
    )
    with pytest.raises(emergency.EmergencyRefused, match="supervisor"):
        emergency.open_in_emergency(
            id_for(), case="medical", reason=REASON, acting_user=other_county_admin
        )
    assert AuditEvent.objects.filter(action="break_glass", result="denied").count() == 1


def test_r_acc_2_unknown_or_invalid_id_numbers_say_so_plainly(db, other_county_admin):
    """Issue 7.4: bad input gets a plain message and changes nothing."""
    for number, message in [("123", "not valid"), (id_for(seq=99), "No person")]:
        with pytest.raises(emergency.EmergencyRefused, match=message):
            emergency.open_in_emergency(
                number, case="medical", reason=REASON, acting_user=other_county_admin
            )
    assert not EmergencyAccess.objects.exists()


def test_issue16_5_every_look_up_found_or_not_counts_and_is_audited(
    person, other_county_admin, township_operator, settings
):
    """Issue 16 item 5: given 3 look-ups a day, when a user tries 3 unregistered numbers, then
    each is audited (area and keyed hash, never the number) and the fourth look-up is refused
    before the registry is asked, even for a registered person; nothing is granted. A look-up
    in one's own scope is audited too."""
    settings.BREAK_GLASS_LOOKUPS_PER_DAY = 3
    tried = [id_for(seq=n) for n in (91, 92, 93)]
    for number in tried:
        with pytest.raises(emergency.EmergencyRefused, match="No person"):
            emergency.open_in_emergency(
                number, case="medical", reason=REASON, acting_user=other_county_admin
            )

    with pytest.raises(emergency.EmergencyRefused, match="looked up 3 ID numbers"):
        emergency.open_in_emergency(
            id_for(), case="medical", reason=REASON, acting_user=other_county_admin
        )
    assert not EmergencyAccess.objects.exists()
    rows = AuditEvent.objects.filter(action="break_glass", actor=other_county_admin)
    assert [r.detail["lookup"] for r in rows.order_by("pk")] == ["not registered"] * 3 + [
        "lookup limit"
    ]
    assert all(r.result == "denied" and r.detail["id_area"] == "510722" for r in rows)
    assert len({r.detail["id_hash"] for r in rows}) == 4
    for number in [*tried, id_for()]:
        assert number not in str(list(rows.values_list("detail", "object_id")))

    assert (
        emergency.open_in_emergency(
            id_for(), case="medical", reason=REASON, acting_user=township_operator
        )
        == person
    )
    own = AuditEvent.objects.get(action="break_glass", actor=township_operator)
    assert (own.detail["lookup"], own.person_id) == ("in scope", person.pk)


# --- issue 12.2: who may break the glass, for which cases, and the review -------------------


def test_issue12_2_village_workers_cannot_break_the_glass(person, village_worker):
    """R-ACC-2: a village worker's scope is their village; their township acts for them. The
    page tells them so and shows no form; a forged post is refused and grants nothing."""
    outsider = village_worker  # even for a person in their own village: the page is not theirs
    page = _client(outsider).get("/account/emergency-access/").content.decode()
    assert "Ask your township" in page and 'name="id_number"' not in page
    refused = _client(outsider).post(
        "/account/emergency-access/", {"id_number": id_for(), "case": "medical", "reason": REASON}
    )
    assert refused.status_code == 400
    assert "Ask your township" in refused.content.decode()
    assert not EmergencyAccess.objects.exists()


@pytest.mark.parametrize("case", ["", "curiosity", "other"])
def test_issue12_2_the_case_is_chosen_from_the_short_list(person, other_county_admin, case):
    """A free reason alone no longer opens anyone: the case must be one of the list."""
    client = _client(other_county_admin)
    response = client.post(
        "/account/emergency-access/", {"id_number": id_for(), "case": case, "reason": REASON}
    )
    assert response.status_code == 400
    assert "choose what the emergency is" in response.content.decode()
    assert REASON in response.content.decode()  # what was typed is kept
    assert not EmergencyAccess.objects.exists()


def test_issue12_2_the_request_case_needs_a_request_about_the_person(
    person, other_county_admin, village_worker
):
    """The 'request' case is checked: without an exchange request about the person to or from
    the user's subtree it is refused (and audited); with one, the grant is made."""
    from yipanqi.exchange.services import send_request

    with pytest.raises(emergency.EmergencyRefused, match="No request about this person"):
        emergency.open_in_emergency(
            id_for(), case="request", reason=REASON, acting_user=other_county_admin
        )
    denied = AuditEvent.objects.get(action="break_glass", actor=other_county_admin)
    assert (denied.result, denied.detail["lookup"]) == ("denied", "no request")
    assert not EmergencyAccess.objects.exists()

    send_request(
        "co_investigation",
        sender_code="440305001001",
        receiver_code="320102",
        acting_user=village_worker,
        idempotency_key="ask-xuanwu",
        persons=[person],
        payload={"question": "她是否在玄武区就医？"},
    )
    grant = emergency.open_in_emergency(
        id_for(), case="request", reason=REASON, acting_user=other_county_admin
    )
    assert (grant.case, grant.person_id) == ("request", person.pk)


def test_issue12_2_every_use_is_an_item_to_review_for_security_and_auditor(
    person, other_county_admin, auditor
):
    """Each grant shows on the security administrator's and the auditor's home page as a count
    and in their review list (without the person's name); each marks it reviewed once, which is
    audited; then the count is zero for that role only."""
    security = make_user("sid", "security_admin", None)
    grant = emergency.open_in_emergency(
        id_for(), case="medical", reason=REASON, acting_user=other_county_admin
    )
    for reviewer in (security, auditor):
        client = _client(reviewer)
        home = client.get("/").content.decode()
        assert "/audit/emergency-access/" in home and "<b>1</b>" in home
        listing = client.get("/audit/emergency-access/").content.decode()
        assert REASON in listing and "charlie" in listing and "Medical emergency" in listing
        assert "王芳" not in listing  # 三员分立: no person data
        done = client.post(f"/audit/emergency-access/{grant.pk}/review/", {"note": "已核实"})
        assert done.status_code == 302
        assert "<b>0</b>" in client.get("/").content.decode()
        again = client.post(f"/audit/emergency-access/{grant.pk}/review/", {"note": "x"})
        assert again.status_code == 302
        assert grant.reviews.filter(reviewer_role=reviewer.role).count() == 1
    rows = AuditEvent.objects.filter(action="break_glass_review", object_id=str(grant.pk))
    assert sorted(rows.values_list("actor__role", flat=True)) == ["auditor", "security_admin"]


def test_issue12_2_other_roles_neither_see_nor_review_the_list(person, other_county_admin):
    grant = emergency.open_in_emergency(
        id_for(), case="medical", reason=REASON, acting_user=other_county_admin
    )
    for role, where in [
        ("system_admin", None),
        ("province_admin", "44"),
        ("county_admin", "320102"),
    ]:
        client = _client(make_user(f"x-{role}", role, where))
        assert client.get("/audit/emergency-access/").status_code == 404
        assert client.post(f"/audit/emergency-access/{grant.pk}/review/").status_code == 404
    assert not grant.reviews.exists()
