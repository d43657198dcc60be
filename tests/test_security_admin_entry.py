"""Issue 12.20: every role that opens /admin/ gets an answer, never a loop between
/admin/login/ and /login/. The system and security administrators enter (after the second
factor); every other role is told in words that the site is not for them, with a link to
their own tools (the auditor: the audit trail)."""

import pytest
from django.test import Client

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, XUANWU_COUNTY, make_user
from yipanqi.accounts.models import Role

pytestmark = pytest.mark.django_db

JURISDICTION = {
    Role.VILLAGE_WORKER: NANSHAN_VILLAGE,
    Role.TOWNSHIP_OPERATOR: SANTAI_TOWNSHIP,
    Role.COUNTY_ADMIN: XUANWU_COUNTY,
    Role.CITY_ADMIN: "5107",
    Role.PROVINCE_ADMIN: "44",
    Role.DEPARTMENT_FEEDER: "440305",
}
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}


def _follow(client, url, limit=10):
    """Follow redirects by hand; fail on a loop or a chain that does not end."""
    seen = []
    response = client.get(url)
    while response.status_code in (301, 302) and len(seen) < limit:
        seen.append(url)
        url = response["Location"]
        assert url not in seen, f"redirect loop: {seen + [url]}"
        response = client.get(url)
    assert response.status_code not in (301, 302), seen
    return response, seen


@pytest.mark.parametrize("role", list(Role))
def test_issue12_20_no_role_loops_on_the_admin_site(role, settings):
    settings.ADMIN_OTP_REQUIRED = False
    user = make_user(f"u-{role}", role, JURISDICTION.get(role))
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    for url in ("/admin/", "/admin/login/?next=/admin/", "/admin/accounts/user/"):
        response, _hops = _follow(client, url)
        page = response.content.decode()
        if role in ADMIN_ROLES:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url
            assert "not for your account" in page
            assert 'href="/"' in page
            if role == Role.AUDITOR:
                assert 'href="/audit/"' in page


def test_issue12_20_the_admin_asks_a_signed_in_administrator_for_the_second_factor(settings):
    """With the second factor required, an administrator who has not typed a code is sent to
    the code page (once), not round the log-in pages."""
    settings.ADMIN_OTP_REQUIRED = True
    client = Client()
    client.force_login(make_user("sec", Role.SECURITY_ADMIN, None))
    response, hops = _follow(client, "/admin/")
    assert response.status_code == 200
    assert hops[-1].startswith("/admin/") and "/login/" not in "".join(hops)
    assert "second-factor" in response.wsgi_request.path


def test_issue12_20_anonymous_visitors_are_sent_to_the_log_in_page_once(db):
    response, hops = _follow(Client(), "/admin/")
    assert response.status_code == 200
    assert response.wsgi_request.path == "/login/"
    assert len(hops) == 2  # /admin/ -> /admin/login/ -> /login/
