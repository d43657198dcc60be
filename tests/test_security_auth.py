"""Issue 7, items 1 and 2: authentication (等保 identity) and separation of duties (三员分立).

R-ACC-1 (one jurisdiction, one role per account) is what these controls protect: a password
policy, lock-out stored in the database, a second factor for administrators, session time-outs
and a role model in which the system administrator cannot read persons or the audit trail and
the auditor cannot change anything.
"""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import NANSHAN_VILLAGE, XUANWU_COUNTY, make_user
from yipanqi.accounts import services
from yipanqi.accounts.middleware import LOGIN_AT_KEY, SEEN_KEY
from yipanqi.accounts.models import ApiToken, PasswordHistory, UserSession
from yipanqi.audit.models import AuditEvent
from yipanqi.audit.services import Origin

PASSWORD = "correct-horse-battery-9"
STRONG = "Migrant-Care-2026"


def _log_in(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def _code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


@pytest.fixture
def otp_required(db, settings):
    settings.ADMIN_OTP_REQUIRED = True


# --- lock-out ---------------------------------------------------------------------------------


def test_r_acc_1_five_failures_lock_the_account_and_a_restart_does_not_unlock_it(village_worker):
    """Issue 7.1: after 5 wrong passwords even the right one is refused; the count lives in the
    database, so a new process (empty cache, new client) still finds the account locked."""
    client = Client()
    statuses = [_log_in(client, "alice", "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = _log_in(client, "alice")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode() or "锁定" in locked.content.decode()
    assert AccessAttempt.objects.filter(username="alice").exists()

    caches["default"].clear()  # what a restart loses
    again = _log_in(Client(), "alice")
    assert again.status_code == 429
    assert "_auth_user_id" not in again.wsgi_request.session
    failed = AuditEvent.objects.filter(action="login_failed", actor=village_worker)
    assert failed.count() >= 6
    assert failed.filter(detail__locked=True).exists()


def test_r_acc_1_admin_site_login_goes_through_the_locking_login_page(db):
    """Issue 7.1: the administration site has no log-in of its own to guess passwords on."""
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


# --- password policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1-short", "password_too_short"),
        ("onlysmallletters", "password_too_simple"),
        ("lowercase-and-symbols", "password_too_simple"),
        ("12345678901", "password_too_simple"),
    ],
)
def test_r_acc_1_password_policy_refuses_weak_passwords(village_worker, password, code):
    """Issue 7.1: at least 10 characters and 3 of the 4 kinds of character (等保 defaults)."""
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password(password, village_worker)
    assert code in {e.code for e in exc.value.error_list}
    password_validation.validate_password(STRONG, village_worker)


def test_r_acc_1_the_last_five_passwords_cannot_be_reused(village_worker):
    """Issue 7.1: password history of 5 (PasswordHistory), the current one included."""
    origin = Origin()
    used = [f"Migrant-Care-{n:04d}" for n in range(5)]
    for password in used:
        services.change_password(
            village_worker, password, acting_user=village_worker, origin=origin
        )
    assert PasswordHistory.objects.filter(user=village_worker).count() == 5
    for password in used:
        with pytest.raises(ValidationError):
            services.change_password(
                village_worker, password, acting_user=village_worker, origin=origin
            )
    services.change_password(
        village_worker, PASSWORD.upper() + "x", acting_user=village_worker, origin=origin
    )
    assert AuditEvent.objects.filter(action="password_change", actor=village_worker).count() == 6


def test_r_acc_1_an_expired_password_must_be_changed_before_anything_else(village_worker):
    """Issue 7.1: after 90 days every page leads to the password form; the change lets one in."""
    village_worker.password_changed_at = timezone.now() - timezone.timedelta(days=91)
    village_worker.save(update_fields=["password_changed_at"])
    client = Client()
    assert _log_in(client, "alice").status_code == 302
    assert client.get("/persons/")["Location"] == "/account/password/"
    assert client.get("/api/v1/workdays/add?date=2026-03-02&n=5").status_code == 403
    form = {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG}
    assert client.post("/account/password/", form).status_code == 302
    assert client.get("/persons/").status_code == 200


# --- second factor ----------------------------------------------------------------------------


def test_r_acc_1_an_administrator_without_a_second_factor_reaches_nothing(otp_required):
    """Issue 7.1: a county administrator with only a password is sent to set up TOTP; no page
    and no API answer is given before that."""
    make_user("charlie", "county_admin", XUANWU_COUNTY)
    client = Client()
    assert _log_in(client, "charlie").status_code == 302
    for url in ["/", "/persons/", "/exchange/inbox/", "/tokens/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/second-factor/setup/")
    assert client.get("/api/v1/workdays/add?date=2026-03-02&n=5").status_code == 403


def test_r_acc_1_totp_set_up_then_asked_at_every_log_in(otp_required):
    """Issue 7.1: set-up shows a QR code; a wrong code is refused; the right code opens the site
    with a new session key; at the next log-in the code is asked again."""
    admin = make_user("charlie", "county_admin", XUANWU_COUNTY)
    client = Client()
    _log_in(client, "charlie")
    setup = client.get("/account/second-factor/setup/")
    assert setup.status_code == 200 and b"data:image/svg+xml;base64," in setup.content
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert client.post("/account/second-factor/setup/", {"token": "000000"}).status_code == 400
    time.sleep(1.1)  # django-otp throttles: one second after a wrong code
    key_before = client.session.session_key
    assert client.post("/account/second-factor/setup/", {"token": _code(device)}).status_code == 302
    assert client.session.session_key != key_before
    assert client.get("/persons/").status_code == 200

    client.post("/logout/")
    _log_in(client, "charlie")
    assert client.get("/persons/")["Location"].startswith("/account/second-factor/")
    device.refresh_from_db()
    assert client.post("/account/second-factor/", {"token": _code(device, 30)}).status_code == 302
    assert client.get("/persons/").status_code == 200
    actions = set(AuditEvent.objects.filter(actor=admin).values_list("action", flat=True))
    assert {"login", "logout", "otp_enrolled", "otp_failed", "otp_verified"} <= actions


def test_r_acc_1_second_factor_is_optional_for_a_village_worker(otp_required, village_worker):
    """Issue 7.1: others may log in with a password alone; once they set up TOTP it is asked."""
    client = Client()
    _log_in(client, "alice")
    assert client.get("/persons/").status_code == 200
    TOTPDevice.objects.create(user=village_worker, name="phone", confirmed=True)
    assert client.get("/persons/")["Location"].startswith("/account/second-factor/")


# --- sessions -------------------------------------------------------------------------------


def test_r_acc_1_log_in_gives_a_new_session_key(village_worker):
    """Issue 7.1 (session fixation): the key held before log-in is not the one after."""
    client = Client()
    client.get("/login/")
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    _log_in(client, "alice")
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.filter(
        user=village_worker, session_key=client.session.session_key
    ).exists()


@pytest.mark.parametrize(("key", "age"), [(SEEN_KEY, 31 * 60), (LOGIN_AT_KEY, 8 * 3600 + 60)])
def test_r_acc_1_idle_and_absolute_time_outs_end_the_session(village_worker, key, age):
    """Issue 7.1: 30 minutes without a request, or 8 hours after log-in, and the session ends."""
    client = Client()
    _log_in(client, "alice")
    assert client.get("/persons/").status_code == 200
    session = client.session
    session[key] = int(time.time()) - age
    session.save()
    response = client.get("/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/persons/")["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action="session_ended", actor=village_worker).exists()


def test_r_acc_1_disabling_a_user_ends_their_sessions_and_tokens(village_worker, auditor):
    """Issue 7.1: the disabled user's open session and API token stop at once."""
    _token, key = ApiToken.issue(village_worker)
    client = Client()
    _log_in(client, "alice")
    assert client.get("/persons/").status_code == 200
    admin = make_user("sam", "system_admin", None)
    services.set_active(village_worker, False, acting_user=admin, origin=Origin())
    assert not UserSession.objects.filter(user=village_worker).exists()
    assert client.get("/persons/")["Location"].startswith("/login/")
    api = Client().get(
        "/api/v1/workdays/add?date=2026-03-02&n=5", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert api.status_code == 401
    assert AuditEvent.objects.filter(
        action="user_change", actor=admin, detail__is_active=False
    ).exists()


def test_r_acc_1_log_ins_are_audited_with_address_and_result(village_worker):
    """Issue 7.3 (every log-in): success and failure, who, from where."""
    _log_in(Client(), "alice", "wrong-password", REMOTE_ADDR="10.20.30.40")
    _log_in(Client(), "alice", REMOTE_ADDR="10.20.30.41")
    failed = AuditEvent.objects.get(action="login_failed")
    ok = AuditEvent.objects.get(action="login", actor=village_worker)
    assert (failed.actor, failed.result, failed.ip) == (village_worker, "denied", "10.20.30.40")
    assert (ok.result, ok.ip, ok.channel) == ("ok", "10.20.30.41", "web")


# --- separation of duties (三员分立) ----------------------------------------------------------


def test_r_acc_1_the_superuser_flag_cannot_sit_on_another_role(db):
    """Issue 7.2: only a system administrator may carry is_superuser, and it grants no more."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("mallory", "county_admin", XUANWU_COUNTY, is_superuser=True)
    root = make_user("root", "system_admin", None, is_superuser=True)
    assert root.has_perm("accounts.change_user")
    assert not root.has_perm("audit.view_auditevent")
    assert not root.has_perm("people.view_person")
    assert root.scope_code is None


def test_r_acc_1_system_administrator_reads_neither_persons_nor_the_audit_trail(
    register_inflow,
):
    """Issue 7.2: the system administrator manages accounts only."""
    person = register_inflow().person
    admin = make_user("sam", "system_admin", None)
    client = Client()
    client.force_login(admin)
    assert client.get(f"/persons/{person.pk}/").status_code == 404
    assert client.get("/audit/").status_code == 404
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    _token, key = ApiToken.issue(admin)
    api = Client().get(f"/api/v1/persons/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 403


def test_r_acc_1_security_administrator_unlocks_accounts_but_cannot_manage_users(db):
    """Issue 7.2: lock-outs and second factors belong to the security administrator."""
    secadmin = make_user("sec", "security_admin", None)
    client = Client()
    client.force_login(secadmin)
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get("/audit/").status_code == 404


def test_r_acc_1_auditor_reads_the_trail_and_changes_nothing(auditor, village_worker):
    """Issue 7.2: every non-reading request of the auditor is refused and itself audited; the
    administration site is closed to the auditor."""
    client = Client()
    client.force_login(auditor)
    assert client.get("/audit/").status_code == 200
    for url in ["/tokens/", "/register/inflow/", "/logout/x/", "/admin/accounts/user/add/"]:
        assert client.post(url, {"name": "x"}).status_code == 403
    assert not ApiToken.objects.filter(user=auditor).exists()
    assert client.get("/admin/").status_code == 302  # to the log-in page: not for this role
    _token, key = ApiToken.issue(auditor)
    api = Client().post(
        "/api/v1/persons/search",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert api.status_code == 403
    assert AuditEvent.objects.filter(action="request_refused", actor=auditor).count() >= 5
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(actor=auditor).delete()


def test_r_acc_1_logout_still_works_for_the_auditor(auditor):
    """Issue 7.2: refusing changes does not trap the auditor in the session."""
    client = Client()
    client.force_login(auditor)
    assert client.post("/logout/").status_code == 302
    assert client.get("/audit/").status_code in (302, 404)


def test_r_acc_1_admin_pages_need_a_second_factor_for_the_system_administrator(otp_required):
    """Issue 7.1/7.2: the administration site is reached only after TOTP."""
    admin = make_user("sam", "system_admin", None)
    client = Client()
    _log_in(client, "sam")
    assert client.get("/admin/")["Location"].startswith("/account/second-factor/setup/")
    client.get("/account/second-factor/setup/")
    device = TOTPDevice.objects.get(user=admin)
    client.post("/account/second-factor/setup/", {"token": _code(device)})
    assert client.get("/admin/").status_code == 200
    change = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "display_name": "新人",
            "role": "village_worker",
            "jurisdiction": NANSHAN_VILLAGE,
            "password1": STRONG,
            "password2": STRONG,
            "usable_password": "true",
        },
    )
    assert change.status_code == 302, change.content.decode()[:2000]
    newbie = admin.__class__.objects.get(username="newbie")
    assert newbie.password_changed_at is None  # the owner must choose their own password
    assert AuditEvent.objects.filter(action="admin_change", actor=admin, result="ok").exists()
