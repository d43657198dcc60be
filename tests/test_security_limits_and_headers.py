"""Issue 16, item 11: an oversized body is a 413 with a plain reason (never a 500), and every
response carries a Permissions-Policy that turns the browser's devices and powers off."""

import json

import pytest
from django.test import Client

from yipanqi.accounts.models import ApiToken

BIG = 21 * 1024 * 1024  # the probe's body: over the 20 MB YIPANQI_MAX_UPLOAD_BYTES


def _big_json() -> bytes:
    return b'{"name": "' + b"x" * BIG + b'"}'


@pytest.mark.parametrize("debug", [False, True])
def test_16_11_an_oversized_json_body_answers_413_in_the_api_error_shape(
    village_worker, settings, debug
):
    """Given a 21 MB JSON body (development settings too: DEBUG made it a 500), when it is
    posted to the API, then the answer is 413 {"detail": reason}, not 500 or a bare 400."""
    settings.DEBUG = debug
    _token, key = ApiToken.issue(village_worker)
    response = Client(raise_request_exception=False).post(
        "/api/v1/persons/search",
        data=_big_json(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 413
    body = json.loads(response.content)
    assert set(body) == {"detail", "errors"} and "20 MB" in body["detail"]


def test_16_11_a_body_that_trips_the_limit_while_read_is_413_too(village_worker, settings):
    """Given a multipart body (not measured by its length, files do not count) whose form field
    alone is over the limit, when Django reads it, then the web answers a plain 413 page and the
    API a 413 in its error shape."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = Client(raise_request_exception=False)
    client.force_login(village_worker)
    page = client.post("/register/inflow/", {"name": "x" * 5000})
    assert page.status_code == 413
    html = page.content.decode()
    assert "<html" in html and "1 MB" in html and "Traceback" not in html
    _token, key = ApiToken.issue(village_worker)
    api = Client(raise_request_exception=False).post(
        "/api/v1/imports/", {"kind": "x" * 5000}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert api.status_code == 413
    assert set(json.loads(api.content)) == {"detail", "errors"}


def test_16_11_web_pages_refuse_an_oversized_form_with_a_plain_page(village_worker):
    """Given a 21 MB urlencoded form post, then the web answers 413 with a page in plain words
    before reading the body, and nothing is registered."""
    from yipanqi.people.models import Person

    before = Person.objects.count()
    client = Client(raise_request_exception=False)
    client.force_login(village_worker)
    response = client.post(
        "/register/inflow/",
        data=b"name=" + b"x" * BIG,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "一次" in response.content.decode()  # the Chinese reason, the default language
    assert Person.objects.count() == before


def test_16_11_every_response_carries_a_permissions_policy(village_worker, register_inflow):
    """Given a page, an API answer, a log-in page and a 413, then each carries a
    Permissions-Policy turning camera, microphone, geolocation, payment, usb and the rest off."""
    person = register_inflow().person
    client = Client(raise_request_exception=False)
    client.force_login(village_worker)
    _token, key = ApiToken.issue(village_worker)
    responses = [
        client.get(f"/persons/{person.pk}/"),
        Client().get(f"/api/v1/persons/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {key}"),
        Client().get("/login/"),
        client.post(
            "/register/inflow/", data=b"x" * BIG, content_type="application/x-www-form-urlencoded"
        ),
    ]
    for response in responses:
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (response.status_code, policy)
