"""Issue 12.1: no role can read a secret through the administration site or the API.

Given every role signed in (each with a confirmed second factor, an API token, a password and
a session of its own), a registered person, a lock-out row and a token's back-off row, when
each role opens every page of the administration site (index, every changelist, change,
history, delete, add, password, a device's config and QR URL), the API's GET endpoints and
their own account pages, then no answer contains any of the secrets below. One test per
secret; a failure names the role and the URL.
"""

import base64
import datetime as dt
import json

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, XUANWU_COUNTY, make_user
from yipanqi.accounts import services
from yipanqi.accounts.models import ApiToken, PasswordHistory, Role
from yipanqi.audit.models import AuditEvent
from yipanqi.audit.services import Origin
from yipanqi.core.models import Throttle

pytestmark = pytest.mark.django_db

JURISDICTION = {
    Role.VILLAGE_WORKER: NANSHAN_VILLAGE,
    Role.TOWNSHIP_OPERATOR: SANTAI_TOWNSHIP,
    Role.COUNTY_ADMIN: XUANWU_COUNTY,
    Role.CITY_ADMIN: "4403",
    Role.PROVINCE_ADMIN: "44",
    Role.DEPARTMENT_FEEDER: "440305",
}
AXES_MARKER = "csrfmiddlewaretoken=AxesFormTokenMarker0123456789"


class World:
    """Everything one test builds: the users of every role, their clients and the secrets."""

    def __init__(self, person):
        self.person = person
        self.users, self.clients, self.devices, self.keys = {}, {}, {}, {}
        for role in Role:
            user = make_user(f"r-{role}", role, JURISDICTION.get(role))
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            _token, key = services.create_token(
                user, "secret-test", acting_user=user, origin=Origin(channel="web")
            )
            client = Client(headers={"accept-language": "en"})
            client.force_login(user)
            session = client.session
            session["otp_device_id"] = device.persistent_id  # as if the code had been typed
            session.save()
            self.users[role], self.devices[role], self.keys[role] = user, device, key
            self.clients[role] = client
        # A lock-out row whose form data holds a form token, and a token's back-off row.
        AccessAttempt.objects.create(
            username="r-village_worker",
            ip_address="203.0.113.9",
            user_agent="test",
            get_data="",
            post_data=AXES_MARKER,
            http_accept="*/*",
            path_info="/login/",
            failures_since_start=3,
        )
        # The API's rate limit writes a row per token, as the middleware keys it.
        bearer = Client(headers={"authorization": f"Bearer {self.keys[Role.VILLAGE_WORKER]}"})
        bearer.get("/api/v1/divisions/44")
        assert Throttle.objects.filter(key__startswith="api:tok:").exists()

    def urls_for(self, role) -> list[str]:
        """Every admin URL of every registered model and object, the API's GET endpoints and
        the account pages."""
        urls = ["/admin/", "/tokens/", "/account/second-factor/setup/", "/audit/"]
        urls += ["/audit/?export=csv", f"/persons/{self.person.pk}/"]
        for model in admin.site._registry:
            info = model._meta.app_label, model._meta.model_name
            urls.append(f"/admin/{info[0]}/{info[1]}/")
            urls.append(f"/admin/{info[0]}/{info[1]}/add/")
            for pk in model.objects.values_list("pk", flat=True)[:3]:
                base = f"/admin/{info[0]}/{info[1]}/{pk}"
                urls += [f"{base}/change/", f"{base}/history/", f"{base}/delete/"]
                urls += [f"{base}/config/", f"{base}/qrcode/", f"{base}/password/"]
        paths = self.clients[role].get("/api/v1/openapi.json")
        if paths.status_code == 200:
            for path, operations in paths.json()["paths"].items():
                if "get" in operations and "{" not in path:
                    urls.append(path)
        urls += [f"/api/v1/persons/{self.person.pk}", "/api/v1/persons?q=王"]
        return urls

    def pages(self):
        """(role, url, text) for every role and URL; each role only with its own client."""
        for role, client in self.clients.items():
            for url in self.urls_for(role):
                response = client.get(url)
                body = b"".join(response) if response.streaming else response.content
                text = body.decode(errors="replace")
                yield role, url, text + json.dumps(dict(response.items()))


def _totp_secrets(world):
    for device in world.devices.values():
        device.refresh_from_db()
        yield device.key
        yield base64.b32encode(device.bin_key).decode().rstrip("=")
        yield device.config_url


def _token_values(world):
    yield from world.keys.values()


def _token_hashes(world):
    for token in ApiToken.objects.all():
        yield token.key_hash
        yield token.key_hash[:24]


def _password_hashes(world):
    for user in world.users.values():
        user.refresh_from_db()
        yield user.password
        yield user.password.rsplit("$", 1)[-1]
    for old in PasswordHistory.objects.all():
        yield old.password.rsplit("$", 1)[-1]


def _session_keys(world):
    for client in world.clients.values():
        yield client.session.session_key


def _axes_form_data(world):
    yield AXES_MARKER.split("=", 1)[1]


def _platform_keys(world):
    yield settings.SECRET_KEY
    yield settings.AUDIT_HMAC_KEY
    yield settings.BLIND_INDEX_KEY
    for spec in settings.FIELD_ENCRYPTION_KEYS.split(","):
        yield spec.split(":", 1)[-1]


def _person_ciphertext(world):
    person = world.person
    person.refresh_from_db()
    yield person.id_number_index
    raw = bytes(person.id_number_cipher)
    yield base64.b64encode(raw).decode()[:24]
    yield raw.hex()[:24]
    yield base64.urlsafe_b64encode(raw).decode()[:24]


SECRETS = {
    "second-factor secret (TOTP key, QR, config URL)": _totp_secrets,
    "API token value": _token_values,
    "API token hash": _token_hashes,
    "password hash": _password_hashes,
    "session key": _session_keys,
    "lock-out form data": _axes_form_data,
    "platform keys (secret, audit HMAC, field and index keys)": _platform_keys,
    "encrypted ID number and its index": _person_ciphertext,
}


@pytest.fixture
def world(register_inflow, settings):
    settings.API_RATE_PER_MINUTE = 1000
    return World(register_inflow().person)


@pytest.fixture(scope="module")
def crawled(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world and one crawl for all the secrets (a crawl is some thousand requests), rolled
    back afterwards: (pages, {secret: values})."""
    from django.db import transaction
    from django.test import override_settings

    from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
    from yipanqi.people.services import RegistrationInput, register

    anchors = tmp_path_factory.mktemp("anchors") / "audit-anchors.jsonl"
    with (
        django_db_blocker.unblock(),
        override_settings(API_RATE_PER_MINUTE=1000, AUDIT_ANCHOR_FILE=anchors),
        transaction.atomic(),
    ):
        registrar = make_user("registrar", "village_worker", NANSHAN_VILLAGE)
        person = register(
            RegistrationInput(
                id_number=id_for(),
                name="王芳",
                home_code=SANTAI_VILLAGE,
                residence_code=NANSHAN_VILLAGE,
                arrival_date=dt.date(2026, 3, 2),
                reason="work",
                marital_status="first_marriage",
                phone="13800138000",
            ),
            kind="inflow",
            acting_user=registrar,
        ).person
        world = World(person)
        pages = list(world.pages())
        values = {
            name: {v for v in find(world) if v and len(v) >= 12} for name, find in SECRETS.items()
        }
        transaction.set_rollback(True)
    return pages, values


@pytest.mark.parametrize("secret", SECRETS)
def test_issue12_1_no_role_reads_the_secret(crawled, secret):
    pages, values = crawled
    assert values[secret], "the test has nothing to look for"
    assert len({role for role, _url, _text in pages}) == len(Role)
    assert len(pages) > 20 * len(Role)
    for role, url, text in pages:
        for value in values[secret]:
            assert value not in text, f"{role} reads the {secret} at {url}"


def test_issue12_1_the_security_administrator_still_sees_the_devices_without_secrets(world):
    """The list is there to act on: user, name, confirmed; nothing that makes a code."""
    client = world.clients[Role.SECURITY_ADMIN]
    page = client.get("/admin/otp_totp/totpdevice/")
    assert page.status_code == 200
    assert "r-auditor" in page.content.decode()
    for suffix in ("change/", "config/", "qrcode/", "history/"):
        device = world.devices[Role.AUDITOR]
        assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{suffix}").status_code in (
            302,
            404,
        )


@pytest.mark.parametrize(
    ("changelist", "lookup"),
    [
        ("accounts/user", "password__startswith"),
        ("accounts/apitoken", "key_hash__startswith"),
        ("accounts/apitoken", "user__password__startswith"),
        ("otp_totp/totpdevice", "key__startswith"),
        ("otp_totp/totpdevice", "user__password__startswith"),
        ("axes/accessattempt", "post_data__contains"),
        ("core/throttle", "key__contains"),
    ],
)
def test_issue12_1_no_changelist_filter_tests_a_secret(world, changelist, lookup):
    """A filter on a secret field would read it one character at a time from the counts."""
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        response = world.clients[role].get(f"/admin/{changelist}/?{lookup}=a")
        assert response.status_code in (400, 403), (role, changelist, lookup)


def test_issue12_1_a_reset_removes_the_device_ends_sessions_and_is_audited(world):
    """The security administrator resets a county administrator's second factor: the device is
    gone, their sessions end, the reset is audited; at the owner's next log-in a new secret is
    shown to them only, and opening the page again replaces it (shown once)."""
    security = world.clients[Role.SECURITY_ADMIN]
    owner = world.users[Role.COUNTY_ADMIN]
    device = world.devices[Role.COUNTY_ADMIN]
    response = security.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "reset_second_factor", "_selected_action": [device.pk], "index": 0},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert world.clients[Role.COUNTY_ADMIN].get("/").status_code == 302  # signed out
    event = AuditEvent.objects.get(action="otp_reset")
    assert (event.actor_id, event.object_id) == (world.users[Role.SECURITY_ADMIN].pk, str(owner.pk))
    assert event.detail["devices_removed"] == 1

    again = Client(headers={"accept-language": "en"})
    again.force_login(owner)
    first = again.get("/account/second-factor/setup/")
    new_key = TOTPDevice.objects.get(user=owner, confirmed=False).key
    shown = base64.b32encode(bytes.fromhex(new_key)).decode().rstrip("=")
    assert shown[:4] in first.content.decode()
    again.get("/account/second-factor/setup/")
    assert TOTPDevice.objects.get(user=owner, confirmed=False).key != new_key


def test_issue12_1_the_system_administrator_cannot_reset_a_second_factor(world):
    """三员分立: the reset belongs to the security administrator."""
    device = world.devices[Role.VILLAGE_WORKER]
    world.clients[Role.SYSTEM_ADMIN].post(
        "/admin/otp_totp/totpdevice/",
        {"action": "reset_second_factor", "_selected_action": [device.pk], "index": 0},
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(action="otp_reset").exists()
