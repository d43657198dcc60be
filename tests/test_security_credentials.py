"""Issue 16, items 4 and 9: credentials end when they should, and weak passwords are refused.

Item 4: an API token and every session of a user end for good when the user's password is
changed (by the user or reset by an administrator, web or service) and when the user is
disabled; enabling the user again revives none of them. Token creation and revocation are
audited services. Item 9: breached, guessable, user-name and demo passwords are refused.
"""

import pytest
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import make_user
from yipanqi.accounts import services
from yipanqi.accounts.models import ApiToken, User, UserSession
from yipanqi.audit.models import AuditEvent
from yipanqi.audit.services import Origin
from yipanqi.demo.users import DEFAULT_PASSWORD

PASSWORD = "correct-horse-battery-9"  # the cast's password (conftest.make_user)
NEW = "Migrant-Care-2026"
API_URL = "/api/v1/workdays/add?date=2026-03-02&n=5"


def _api(key: str) -> int:
    return Client().get(API_URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def _logged_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


def _still_in(client: Client) -> bool:
    return client.get("/persons/").status_code == 200


@pytest.fixture
def sysadmin(db):
    return make_user("sam", "system_admin", None)


# --- item 4: a password change ends every token and the other sessions --------------------------


def test_issue_16_4_own_password_change_on_the_web_ends_tokens_and_other_sessions(village_worker):
    """Given alice with an API token and two open sessions, when she changes her password in one
    of them, then the token is refused for good, the other session has ended, the one she used
    goes on, and the token's revocation is audited with the reason."""
    _token, key = ApiToken.issue(village_worker)
    assert _api(key) == 200
    here, elsewhere = _logged_in("alice"), _logged_in("alice")

    form = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    assert here.post("/account/password/", form).status_code == 302

    assert _api(key) == 401
    assert not _still_in(elsewhere)
    assert _still_in(here)
    assert UserSession.objects.filter(user=village_worker).count() == 1
    revoked = AuditEvent.objects.get(action="token_revoke", object_id=str(_token.pk))
    assert (revoked.actor, revoked.reason) == (village_worker, "password changed")
    _token.refresh_from_db()
    assert _token.revoked_at is not None


def test_issue_16_4_a_reset_through_the_admin_site_ends_tokens_and_sessions(
    village_worker, sysadmin
):
    """Given alice with a token and a session, when the system administrator sets her a new
    password in the administration site, then her token and her session have ended, she must
    choose her own password at the next log-in, and the reset is audited."""
    _token, key = ApiToken.issue(village_worker)
    session = _logged_in("alice")
    admin = Client()
    admin.force_login(sysadmin)

    response = admin.post(
        f"/admin/accounts/user/{village_worker.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content[:500]
    assert _api(key) == 401
    assert not _still_in(session)
    village_worker.refresh_from_db()
    assert village_worker.check_password(NEW) and village_worker.password_expired()
    reset = AuditEvent.objects.get(action="password_change", object_id=str(village_worker.pk))
    assert reset.actor == sysadmin and reset.detail["reset"] and reset.detail["tokens_revoked"] == 1
    assert AuditEvent.objects.filter(action="token_revoke", reason="password reset").count() == 1


def test_issue_16_4_switching_password_log_in_off_in_the_admin_site_ends_tokens(
    village_worker, sysadmin
):
    """Given alice with a token and a session, when the administrator switches her password
    log-in off, then she cannot log in with it, and her token and session have ended."""
    _token, key = ApiToken.issue(village_worker)
    session = _logged_in("alice")
    admin = Client()
    admin.force_login(sysadmin)
    response = admin.post(
        f"/admin/accounts/user/{village_worker.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302, response.content[:500]
    village_worker.refresh_from_db()
    assert not village_worker.has_usable_password()
    assert _api(key) == 401
    assert not _still_in(session)


def test_issue_16_4_the_admin_site_refuses_a_weak_reset_and_changes_nothing(
    village_worker, sysadmin
):
    """Given alice with a token, when the administrator tries to set her `P@ssw0rd2026`, then the
    form shows the reason, her password and her token are unchanged."""
    _token, key = ApiToken.issue(village_worker)
    admin = Client()
    admin.force_login(sysadmin)
    weak = "P@ssw0rd2026"
    response = admin.post(
        f"/admin/accounts/user/{village_worker.pk}/password/",
        {"password1": weak, "password2": weak, "usable_password": "true"},
    )
    assert response.status_code == 200
    village_worker.refresh_from_db()
    assert village_worker.check_password(PASSWORD)
    assert _api(key) == 200


def test_issue_16_4_a_reset_by_the_service_ends_tokens_and_sessions(village_worker, sysadmin):
    """Given alice with a token and a session, when an administrator resets her password through
    accounts.services, then both have ended."""
    _token, key = ApiToken.issue(village_worker)
    session = _logged_in("alice")
    ended = services.change_password(village_worker, NEW, acting_user=sysadmin, origin=Origin())
    assert ended == {"tokens_revoked": 1, "sessions_ended": 1}
    assert _api(key) == 401
    assert not _still_in(session)


def test_issue_16_4_a_password_set_by_any_other_path_still_ends_tokens_and_sessions(
    village_worker,
):
    """Given alice with a token and a session, when her password is set outside the services
    (`manage.py changepassword` does set_password and save), then both have ended all the same:
    they are bound to her credential generation."""
    _token, key = ApiToken.issue(village_worker)
    session = _logged_in("alice")
    user = User.objects.get(pk=village_worker.pk)
    user.set_password(NEW)
    user.save()
    assert _api(key) == 401
    assert not _still_in(session)


# --- item 4: disabling ends everything, enabling revives nothing ------------------------------


def test_issue_16_4_disable_then_enable_revives_no_token_and_no_session(village_worker, sysadmin):
    """Given alice with a token and two sessions, one of which the session table does not know
    (opened before it existed), when she is disabled and enabled again, then the token is
    refused and neither session comes back; she logs in afresh and makes a new token."""
    _token, key = ApiToken.issue(village_worker)
    tracked, untracked = _logged_in("alice"), _logged_in("alice")
    UserSession.objects.filter(session_key=untracked.session.session_key).delete()

    services.set_active(village_worker, False, acting_user=sysadmin, origin=Origin())
    assert _api(key) == 401
    services.set_active(village_worker, True, acting_user=sysadmin, origin=Origin())

    assert _api(key) == 401
    assert not _still_in(tracked)
    assert not _still_in(untracked)
    assert Session.objects.filter(session_key=untracked.session.session_key).count() == 0
    fresh = _logged_in("alice")
    assert _still_in(fresh)
    _new, new_key = ApiToken.issue(User.objects.get(pk=village_worker.pk))
    assert _api(new_key) == 200
    assert AuditEvent.objects.filter(action="token_revoke", reason="user disabled").count() == 1


def test_issue_16_4_a_stale_copy_of_the_user_saved_later_does_not_revive_a_session(
    village_worker, sysadmin
):
    """Given alice's session unknown to the session table and a copy of her account loaded
    before she was disabled (an open admin form), when that copy is saved after the disable and
    she is enabled again, then the old session stays ended: a full save never writes an older
    credential generation back."""
    session = _logged_in("alice")
    UserSession.objects.filter(user=village_worker).delete()
    stale = User.objects.get(pk=village_worker.pk)
    services.set_active(village_worker, False, acting_user=sysadmin, origin=Origin())
    stale.display_name = "Alice Wang"
    stale.is_active = True
    stale.save()
    assert User.objects.get(pk=village_worker.pk).display_name == "Alice Wang"
    assert not _still_in(session)


def test_issue_16_4_disabling_in_the_admin_site_revokes_tokens_for_good(village_worker, sysadmin):
    """Given alice with a token, when the administrator unticks 'active' in the administration
    site and later ticks it again, then the token stays refused."""
    _token, key = ApiToken.issue(village_worker)
    admin = Client()
    admin.force_login(sysadmin)
    form = {
        "username": "alice",
        "display_name": "alice",
        "role": "village_worker",
        "jurisdiction": village_worker.jurisdiction_id,
    }
    url = f"/admin/accounts/user/{village_worker.pk}/change/"
    assert admin.post(url, form).status_code == 302  # is_active left out: unticked
    assert admin.post(url, {**form, "is_active": "on"}).status_code == 302
    assert User.objects.get(pk=village_worker.pk).is_active
    assert _api(key) == 401


# --- item 4: creating and revoking tokens are audited services --------------------------------


def test_issue_16_4_token_creation_and_revocation_on_the_web_are_audited(village_worker):
    """Given alice logged in, when she creates a token on the tokens page and revokes it, then
    each step wrote an audit row, and the revoked token is refused."""
    client = _logged_in("alice")
    page = client.post("/tokens/", {"name": "区县对接"})
    assert page.status_code == 200
    key = page.context["new_key"]
    token = ApiToken.objects.get(user=village_worker)
    assert _api(key) == 200
    created = AuditEvent.objects.get(action="token_create")
    assert (created.actor, created.object_id, created.detail["name"]) == (
        village_worker,
        str(token.pk),
        "区县对接",
    )
    assert client.post("/tokens/", {"revoke": token.pk}).status_code == 302
    assert _api(key) == 401
    revoked = AuditEvent.objects.get(action="token_revoke")
    assert (revoked.actor, revoked.object_id, revoked.reason) == (
        village_worker,
        str(token.pk),
        "revoked by its owner",
    )


def test_issue_16_4_nobody_revokes_another_users_token_from_the_tokens_page(
    village_worker, township_operator
):
    """Given bob's token, when alice posts its id to her tokens page, then 404 and it still works."""
    _token, key = ApiToken.issue(township_operator)
    client = _logged_in("alice")
    assert client.post("/tokens/", {"revoke": _token.pk}).status_code == 404
    assert _api(key) == 200
    assert not AuditEvent.objects.filter(action="token_revoke").exists()


def test_issue_16_4_the_admin_site_revokes_tokens_audited_and_cannot_revive_them(
    village_worker, sysadmin
):
    """Given alice's token, when the system administrator revokes it with the admin action, then
    it is refused and audited; the token's form has no way to un-revoke it."""
    _token, key = ApiToken.issue(village_worker)
    admin = Client()
    admin.force_login(sysadmin)
    response = admin.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [_token.pk]},
    )
    assert response.status_code == 302
    assert _api(key) == 401
    assert AuditEvent.objects.get(action="token_revoke").actor == sysadmin
    admin.post(f"/admin/accounts/apitoken/{_token.pk}/change/", {"revoked_at": ""})
    _token.refresh_from_db()
    assert _token.revoked_at is not None
    assert _api(key) == 401


# --- item 9: passwords -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("P@ssw0rd2026", "password_too_guessable"),  # a breached password in look-alike letters
        ("Qq123456789", "password_too_guessable"),
        ("Woaini1314!", "password_too_guessable"),
        ("alice2026!", "password_contains_user_name"),  # <username>2026!
        ("Al1ce-Migrant-77", "password_contains_user_name"),
        ("My-Alice-is-2026", "password_contains_user_name"),
        ("Wang-Fang-Hello-9", "password_contains_user_name"),  # the display name
    ],
)
def test_issue_16_9_breached_guessable_and_user_name_passwords_are_refused(
    village_worker, password, code
):
    """Given alice (display name Wang Fang), when a weak password is checked, then it is refused
    for the stated reason; a password of her own words passes."""
    village_worker.display_name = "Wang Fang"
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password(password, village_worker)
    assert code in {e.code for e in exc.value.error_list}
    password_validation.validate_password(NEW, village_worker)


def test_issue_16_9_the_demo_password_is_refused_outside_development(village_worker, settings):
    """Given production settings (YIPANQI_DEV unset), when the README's demo password is chosen,
    then it is refused; in development the demo logins keep it."""
    settings.DEV = False
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password(DEFAULT_PASSWORD, village_worker)
    assert "password_is_demo" in {e.code for e in exc.value.error_list}
    settings.DEV = True
    password_validation.validate_password(DEFAULT_PASSWORD, village_worker)


def test_issue_16_9_the_demo_logins_still_work_in_development(db):
    """Given development, when the demo logins are made, then the village login logs in with
    the published password."""
    from yipanqi.demo.users import create_demo_users

    logins = create_demo_users()
    assert {username for username, *_rest in logins} >= {"village", "auditor"}
    assert _still_in(_logged_in("village", DEFAULT_PASSWORD))


def test_issue_16_9_the_password_page_refuses_a_breached_password_in_plain_words(village_worker):
    """Given alice on the password page, when she chooses `P@ssw0rd2026`, then the page says why
    in Chinese, her password and her token are unchanged."""
    _token, key = ApiToken.issue(village_worker)
    client = _logged_in("alice")
    weak = "P@ssw0rd2026"
    form = {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
    response = client.post("/account/password/", form)
    assert response.status_code == 400
    assert "太容易被猜到" in response.content.decode()
    village_worker.refresh_from_db()
    assert village_worker.check_password(PASSWORD)
    assert _api(key) == 200
