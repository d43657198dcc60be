"""Issue 12.9: the administration site and the API speak the UI's language, the API answers JSON
even for a path it does not have, and the browser finds the platform's icon.

The web pages are in Simplified Chinese whatever the browser asks (web.middleware); the API
follows the client's Accept-Language among the supported languages, Chinese by default.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client

from conftest import make_user
from yipanqi.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

NOT_FOUND_ZH = "这里什么也没有：本辖区没有这条记录。"
NOT_FOUND_EN = "Nothing here: no such record in your jurisdiction."
# Words an admin page may show in Latin letters: user names, and the third-party model "TOTP
# devices" (django-otp's own verbose name, which only a migration of that package could change).
ALLOWED = re.compile(r"^(sam|dora|TOTP.*|\d.*)$")
_LABELS = re.compile(
    r"<(th|label|h1|h2|caption|button|option|legend)\b[^>]*>(.*?)</\1>"
    r'|<input[^>]*type="submit"[^>]*value="([^"]*)"'
    r'|<a[^>]*class="[^"]*section[^"]*"[^>]*>(.*?)</a>',
    re.S,
)


def _english_labels(html: str) -> list[str]:
    content = html.split('id="content"', 1)[-1]
    found = []
    for match in _LABELS.finditer(content):
        text = re.sub(r"<[^>]+>", " ", next(g for g in match.groups()[1:] if g is not None))
        text = " ".join(text.split())
        latin = re.search(r"[A-Za-z]{3,}", text) and not re.search(r"[\u4e00-\u9fff]", text)
        if latin and not ALLOWED.match(text):
            found.append(text)
    return found


@pytest.mark.parametrize("role", ["system_admin", "security_admin"])
def test_the_admin_site_is_in_chinese_for_each_administrator(role):
    """Given an administrator, every list and form of the admin site they may open has Chinese
    headings, labels, filters and buttons (verbose names translated)."""
    user = make_user("sam", role, None, is_staff=True)
    client = Client()
    client.force_login(user)
    urls = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        urls += [f"/admin/{meta.app_label}/{meta.model_name}/"]
        urls += [f"/admin/{meta.app_label}/{meta.model_name}/add/"]
    opened, english = 0, {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        html = response.content.decode()
        assert '<html lang="zh-hans"' in html, url
        if found := _english_labels(html):
            english[url] = found
    assert opened >= 3
    assert not english, english


def test_the_admin_user_form_labels_its_fields_in_chinese():
    user = make_user("sam", "system_admin", None, is_staff=True)
    client = Client()
    client.force_login(user)
    html = client.get("/admin/accounts/user/").content.decode()
    assert "辖区" in html and "角色" in html and "- 请选择 -" in html
    assert "账户" in client.get("/admin/").content.decode()


@pytest.fixture
def token(village_worker):
    _token, key = ApiToken.issue(village_worker)
    return key


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path", ["/api/v1/nowhere/", "/api/nowhere", "/api/v1/persons/not-a-number/", "/api/"]
)
def test_an_unknown_api_path_answers_json_in_the_documented_shape(settings, token, path, debug):
    """Given any path under /api/ that no endpoint has, the answer is a 404 in the ErrorOut shape,
    in Chinese, never an HTML page (with DEBUG on, not Django's technical page)."""
    settings.DEBUG = debug
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": NOT_FOUND_ZH, "errors": {}}


def test_a_web_page_that_does_not_exist_is_still_the_page(settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "accept, detail",
    [
        (None, NOT_FOUND_ZH),
        ("zh-CN,zh;q=0.9", NOT_FOUND_ZH),
        ("fr-FR,fr;q=0.9", NOT_FOUND_ZH),
        ("en-US,en;q=0.9", NOT_FOUND_EN),
    ],
)
def test_api_errors_follow_accept_language_with_chinese_the_default(token, accept, detail):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if accept:
        headers["HTTP_ACCEPT_LANGUAGE"] = accept
    response = Client().get("/api/v1/nowhere/", **headers)
    assert response.json()["detail"] == detail
    assert "Accept-Language" in response["Vary"]


def test_api_validation_and_sign_in_errors_are_in_chinese(token):
    """Given a body that misses every field and a request without a token, the API's refusals
    name the problem in Chinese."""
    client = Client()
    invalid = client.post(
        "/api/v1/persons/inflow",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert invalid.status_code == 422
    assert invalid.json()["detail"].startswith("提交的内容有误")
    assert invalid.json()["errors"]["name"] == ["这个字段是必填项。"]
    unsigned = client.post("/api/v1/persons/inflow", "{}", content_type="application/json")
    assert unsigned.status_code == 401
    assert re.search(r"[\u4e00-\u9fff]", unsigned.json()["detail"])


def test_the_web_pages_stay_chinese_for_an_english_browser(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.content.decode()


def test_favicon_is_linked_local_and_answers_at_the_root(client):
    """Every page links a local icon, and /favicon.ico (which browsers ask for) is an icon."""
    page = client.get("/login/").content.decode()
    links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert links and all(link.startswith("/static/") for link in links)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "public" in icon["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405
