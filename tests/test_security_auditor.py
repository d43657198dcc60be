"""Issue 16.11 (auditor part), 三员分立: the auditor reads and never changes anything.

The one rule is `accounts/readonly.py`; its short list of requests that are free for the auditor
(log in and out, the second factor, their own password, the language of the pages) is stated
in SECURITY.md §2. Every URL pattern of the project is walked here, so a page or endpoint that is
added later is checked too.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from conftest import make_user
from yipanqi.accounts.models import ApiToken
from yipanqi.accounts.readonly import AUDITOR_FREE_VIEWS
from yipanqi.audit.models import AuditEvent

PASSWORD = "correct-horse-battery-9"
NEW = "Migrant-Care-2026"
# Values tried, in order, for a URL parameter: the first that its pattern accepts is used.
SAMPLES = ["1", "accounts", "inflow", "x", "a/b"]
_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


def _sample(regex: str) -> str:
    value = next((v for v in SAMPLES if re.fullmatch(regex, v)), None)
    assert value is not None, f"no sample value matches {regex!r}: add one to SAMPLES"
    return value


def _segment(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        converters = pattern.converters
        return _ROUTE_PARAM.sub(lambda m: _sample(converters[m[1]].regex), str(pattern))
    assert isinstance(pattern, RegexPattern), pattern
    text = str(pattern).lstrip("^").removesuffix("$").removesuffix(r"\Z")
    return _REGEX_GROUP.sub(lambda m: _sample(m[2]), text).replace("\\", "")


def every_path(patterns=None, prefix="/"):
    """(path, view name) for every URL pattern of the project, resolvers followed."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + _segment(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from every_path(pattern.url_patterns, path)
        elif isinstance(pattern, URLPattern):
            yield path, resolve(path).view_name


PATHS = sorted(set(every_path()))


@pytest.fixture
def auditor_client(auditor):
    client = Client()
    client.force_login(auditor)
    return client


def test_issue_16_11_the_walk_covers_the_whole_project():
    """The walk reaches the web pages, the API, the admin site and every free view."""
    names = {name for _path, name in PATHS}
    assert len(PATHS) > 150
    assert set(AUDITOR_FREE_VIEWS) <= names
    assert any(path.startswith("/api/v1/") for path, _name in PATHS)
    assert any(path.startswith("/admin/") for path, _name in PATHS)


def test_issue_16_11_every_post_of_the_auditor_is_refused_but_the_documented_few(auditor):
    """Given the auditor logged in, when they POST to every URL pattern of the project, then each
    answers 403 and is audited as refused, except the views SECURITY.md lists as free."""
    refused, allowed = [], []
    client = Client()
    for path, name in PATHS:
        client.force_login(auditor)  # a free view (log-out) may have ended the session
        status = client.post(path, {"name": "x"}).status_code
        (allowed if status != 403 else refused).append((path, name, status))
    wrongly_refused = [(p, n) for p, n, _s in refused if n in AUDITOR_FREE_VIEWS]
    wrongly_allowed = [(p, n, s) for p, n, s in allowed if n not in AUDITOR_FREE_VIEWS]
    assert not wrongly_allowed, wrongly_allowed
    assert not wrongly_refused, wrongly_refused
    audited = AuditEvent.objects.filter(action="request_refused", actor=auditor)
    assert audited.count() == len(refused)
    assert not ApiToken.objects.filter(user=auditor).exists()


def test_issue_16_11_every_api_change_with_the_auditors_token_is_refused(auditor):
    """Given the auditor's API token, when it is sent with POST, PUT, PATCH and DELETE to every
    API operation, then each answers 403 and is audited; reading (GET) still works."""
    _token, key = ApiToken.issue(auditor)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    api = [path for path, _name in PATHS if path.startswith("/api/")]
    statuses = {}
    for path in api:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path, "{}", content_type="application/json")
            statuses[(method, path)] = response.status_code
    assert {k: s for k, s in statuses.items() if s != 403} == {}
    audited = AuditEvent.objects.filter(action="request_refused", actor=auditor, channel="api")
    assert audited.count() == len(statuses)
    assert client.get("/api/v1/workdays/add?date=2026-03-02&n=5").status_code == 200


def test_issue_16_11_the_auditor_changes_their_own_password_audited(auditor):
    """Given the auditor (whose password an administrator set, so it must be changed at the first
    log-in), when they change it, then it is changed and audited: 等保 asks every account to
    change its password, and refusing would lock the auditor out."""
    auditor.password_changed_at = None
    auditor.save(update_fields=["password_changed_at"])
    client = Client()
    client.post("/login/", {"username": "eve", "password": PASSWORD})
    assert client.get("/audit/")["Location"] == "/account/password/"
    form = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    assert client.post("/account/password/", form).status_code == 302
    auditor.refresh_from_db()
    assert auditor.check_password(NEW)
    assert AuditEvent.objects.filter(action="password_change", actor=auditor).exists()
    assert client.get("/audit/").status_code == 200


def test_issue_16_11_the_auditor_may_switch_the_language_and_nothing_else_on_the_way(
    auditor_client,
):
    """Given the auditor, when they switch the pages to English, then only a cookie is set (the
    documented exception); their POST elsewhere is still refused."""
    response = auditor_client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert auditor_client.post("/tokens/", {"name": "x"}).status_code == 403


def test_issue_16_11_the_auditor_logs_out_and_sets_up_the_second_factor(auditor, settings):
    """Given the auditor who must use a second factor, when they post a code to the set-up page
    and log out, then neither is refused as a change."""
    settings.ADMIN_OTP_REQUIRED = True
    client = Client()
    client.post("/login/", {"username": "eve", "password": PASSWORD})
    client.get("/account/second-factor/setup/")
    wrong = client.post("/account/second-factor/setup/", {"token": "000000"})
    assert wrong.status_code == 400  # the wrong code is said, not refused as a change
    assert client.post("/logout/").status_code == 302
    assert not AuditEvent.objects.filter(action="request_refused", actor=auditor).exists()


def test_issue_16_11_a_security_administrator_is_not_held_by_the_auditors_rule(db):
    """The rule is the auditor's only: another separated role's POST goes to its page."""
    secadmin = make_user("sec", "security_admin", None)
    client = Client()
    client.force_login(secadmin)
    assert client.post("/tokens/", {"name": "x"}).status_code == 200
