"""Issue 7, item 6: web hardening (OWASP ASVS L2, 等保 communication and access control)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from yipanqi.accounts.models import ApiToken
from yipanqi.core.crypto import generate_key

ROOT = Path(__file__).resolve().parent.parent


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_p5_check_deploy_is_clean_under_production_settings(tmp_path):
    """Issue 7.6: `manage.py check --deploy` reports nothing with production settings."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("YIPANQI_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "yipanqi.settings",
        "YIPANQI_DEV": "0",
        "YIPANQI_DEBUG": "0",
        "YIPANQI_SECRET_KEY": "p" + generate_key() + generate_key(),
        "YIPANQI_FIELD_KEYS": f"1:{generate_key()}",
        "YIPANQI_BLIND_INDEX_KEY": generate_key(),
        "YIPANQI_AUDIT_KEY": generate_key(),
        "YIPANQI_ALLOWED_HOSTS": "yipanqi.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_p5_production_refuses_to_start_without_the_audit_key(tmp_path):
    """Issue 7.3/7.5: keys come from the environment; production does not invent them."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("YIPANQI_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "yipanqi.settings",
        "YIPANQI_DEV": "0",
        "YIPANQI_SECRET_KEY": "p" + generate_key() + generate_key(),
        "YIPANQI_FIELD_KEYS": f"1:{generate_key()}",
        "YIPANQI_BLIND_INDEX_KEY": generate_key(),
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "YIPANQI_AUDIT_KEY" in result.stderr


def test_p5_pages_carry_csp_and_personal_pages_are_never_stored(register_inflow, village_worker):
    """Issue 7.6: Content-Security-Policy on every page (own scripts only, no framing); pages and
    API answers with personal data are `no-store`; static files stay cacheable."""
    person = register_inflow().person
    client = _client(village_worker)
    page = client.get(f"/persons/{person.pk}/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp and "unsafe-inline" not in csp
    assert "no-store" in page["Cache-Control"]
    _token, key = ApiToken.issue(village_worker)
    api = Client().get(f"/api/v1/persons/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"


def test_p5_session_cookie_is_http_only_and_login_posts_no_data_in_urls(village_worker):
    """Issue 7.6: the session cookie is HttpOnly and SameSite; the log-in never puts the password
    or the user name in the URL."""
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": "correct-horse-battery-9"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "alice" not in response["Location"]


def test_p5_login_is_rate_limited_per_address(village_worker, settings):
    """Issue 7.6: many log-in posts from one address are slowed down with 429."""
    settings.LOGIN_RATE_PER_MINUTE = 3
    client = Client()
    statuses = [
        client.post("/login/", {"username": f"u{n}", "password": "x"}).status_code for n in range(5)
    ]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


def test_p5_api_is_rate_limited_per_token(village_worker, settings):
    """Issue 7.6: past the per-minute budget the API answers 429 with Retry-After."""
    settings.API_RATE_PER_MINUTE = 4
    _token, key = ApiToken.issue(village_worker)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    statuses = [
        client.get("/api/v1/workdays/add?date=2026-03-02&n=5").status_code for _ in range(6)
    ]
    assert statuses[:4] == [200] * 4 and statuses[4:] == [429, 429]
    assert int(client.get("/api/v1/workdays/add?date=2026-03-02&n=5")["Retry-After"]) > 0


@pytest.mark.parametrize("size", [2048])
def test_p5_request_bodies_over_the_limit_are_refused(village_worker, settings, size):
    """Issue 7.6: bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are refused (413 since issue 16.11),
    and nothing is written."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = _client(village_worker)
    response = client.post("/tokens/", {"name": "x" * size})
    assert response.status_code == 413
    assert not ApiToken.objects.filter(user=village_worker).exists()
