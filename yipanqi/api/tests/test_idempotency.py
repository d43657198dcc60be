"""Every creating API endpoint honours an Idempotency-Key header (issue 12.17): done once,
the same answer again for the same key and request, 422 for the key with another request,
one winner among concurrent duplicates, keys forgotten after API_IDEMPOTENCY_SECONDS."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from conftest import NANSHAN_VILLAGE
from yipanqi.accounts.models import ApiToken
from yipanqi.api.v1 import idempotency
from yipanqi.core.models import IdempotencyKey
from yipanqi.services.models import ServiceRecord

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    _token, key = ApiToken.issue(user)
    return Client(headers={"authorization": f"Bearer {key}"})


@pytest.fixture
def person(register_inflow):
    return register_inflow().person


def _record(client, person, key, **changes):
    body = {
        "person_id": person.pk,
        "service_type": "condoms",
        "given_on": "2026-04-01",
        "provider": "南头城社区",
        **changes,
    }
    return client.post(
        "/api/v1/services/records",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_two_identical_posts_with_one_key_create_one_service_record(village_worker, person):
    """The issue's case: a service record POSTed twice is recorded once."""
    client = _api(village_worker)
    first = _record(client, person, "7c0e5d4a-1")
    again = _record(client, person, "7c0e5d4a-1")

    assert first.status_code == 201
    assert ServiceRecord.objects.count() == 1
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")


def test_without_the_header_each_post_is_done(village_worker, person):
    client = _api(village_worker)
    for _ in range(2):
        client.post(
            "/api/v1/services/records",
            json.dumps({"person_id": person.pk, "service_type": "condoms",
                        "given_on": "2026-04-01", "provider": "南头城社区"}),
            content_type="application/json",
        )  # fmt: skip
    assert ServiceRecord.objects.count() == 2


def test_the_same_key_with_another_body_is_422_in_the_error_shape(village_worker, person):
    client = _api(village_worker)
    _record(client, person, "k-1")
    other = _record(client, person, "k-1", provider="南头街道计生服务站")

    assert other.status_code == 422
    assert set(other.json()) == {"detail", "errors"}
    assert "Idempotency-Key" in other.json()["errors"]
    assert ServiceRecord.objects.count() == 1


def test_keys_are_per_user(village_worker, person):
    from conftest import make_user

    colleague = make_user("ann", "village_worker", NANSHAN_VILLAGE)
    _record(_api(village_worker), person, "shared")
    second = _record(_api(colleague), person, "shared")
    assert second.status_code == 201 and not second.has_header("Idempotent-Replayed")
    assert ServiceRecord.objects.count() == 2


def test_a_duplicate_while_the_first_is_still_being_done_does_nothing(village_worker, person):
    """The claim is the row's unique constraint: a concurrent duplicate finds the claim of the
    first (its answer not yet stored) and is told to wait; nothing is done twice."""
    client = _api(village_worker)
    body = json.dumps({"person_id": person.pk, "service_type": "condoms",
                       "given_on": "2026-04-01", "provider": "南头城社区"})  # fmt: skip
    claimed, _row = idempotency._claim(
        f"user:{village_worker.pk}",
        "busy",
        "POST /api/v1/services/records",
        _digest_of("/api/v1/services/records", body),
    )
    assert claimed
    response = client.post(
        "/api/v1/services/records", body, content_type="application/json",
        headers={"Idempotency-Key": "busy"},
    )  # fmt: skip
    assert response.status_code == 409
    assert set(response.json()) == {"detail", "errors"}
    assert ServiceRecord.objects.count() == 0


def test_a_second_claim_of_a_key_loses_to_the_unique_constraint(village_worker):
    owner = f"user:{village_worker.pk}"
    first, row = idempotency._claim(owner, "race", "POST /x", "a" * 64)
    second, found = idempotency._claim(owner, "race", "POST /x", "a" * 64)
    assert (first, second) == (True, False)
    assert found.pk == row.pk
    assert IdempotencyKey.objects.count() == 1


def test_a_failed_request_frees_its_key(village_worker, person, monkeypatch):
    from yipanqi.services import services as service_functions

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service_functions, "record_service", broken)
    client = _api(village_worker)
    client.raise_request_exception = False
    failed = _record(client, person, "retry-me")
    assert failed.status_code == 500
    monkeypatch.undo()
    done = _record(client, person, "retry-me")
    assert done.status_code == 201 and ServiceRecord.objects.count() == 1


def test_keys_expire_after_the_setting(village_worker, person, settings):
    client = _api(village_worker)
    _record(client, person, "old")
    IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    settings.API_IDEMPOTENCY_SECONDS = 60
    again = _record(client, person, "old")
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert ServiceRecord.objects.count() == 2
    key = IdempotencyKey.objects.get()
    assert dt.timedelta(seconds=50) < key.expires_at - timezone.now() <= dt.timedelta(seconds=60)


def test_a_key_that_is_not_printable_ascii_is_refused(village_worker, person):
    response = _record(_api(village_worker), person, "x" * 256)
    assert response.status_code == 422 and ServiceRecord.objects.count() == 0


def test_a_public_complaint_is_filed_once(client):
    """The citizens' form has no account: keys are kept per client address."""
    from yipanqi.grievances.models import Complaint

    body = json.dumps(
        {
            "category": "charged_free_service",
            "place_code": NANSHAN_VILLAGE,
            "description": "服务站收了避孕药具的钱。",
            "complainant_name": "张三",
            "contact": "13800138000",
        }
    )
    answers = [
        client.post("/api/v1/grievances/public", body, content_type="application/json",
                    headers={"Idempotency-Key": "citizen-1"})
        for _ in range(2)
    ]  # fmt: skip
    assert answers[0].status_code in (200, 201), answers[0].content
    assert answers[1].content == answers[0].content
    assert Complaint.objects.count() == 1


def test_an_import_upload_is_done_once(village_worker, tmp_path, settings):
    from yipanqi.imports.models import ImportJob
    from yipanqi.imports.tests.conftest import inflow_row, write_csv

    settings.VAR_DIR = tmp_path / "var"
    client = _api(village_worker)
    path = write_csv(tmp_path / "a.csv", [inflow_row(1)])
    answers = []
    for _ in range(2):
        with path.open("rb") as handle:
            answers.append(
                client.post(
                    "/api/v1/imports/",
                    {"kind": "inflow", "file": handle, "start": "false"},
                    headers={"Idempotency-Key": "upload-1"},
                )
            )
    assert answers[0].status_code == 201, answers[0].content
    assert answers[1].json() == answers[0].json()
    assert ImportJob.objects.count() == 1
    other = write_csv(tmp_path / "b.csv", [inflow_row(2)])
    with other.open("rb") as handle:
        changed = client.post(
            "/api/v1/imports/",
            {"kind": "inflow", "file": handle, "start": "false"},
            headers={"Idempotency-Key": "upload-1"},
        )
    assert changed.status_code == 422 and ImportJob.objects.count() == 1


def _post_operations():
    from yipanqi.api.v1 import api

    document = api.get_openapi_schema()
    return document, [
        (path, methods["post"]) for path, methods in document["paths"].items() if "post" in methods
    ]


def _creating():
    document, posts = _post_operations()
    reads = {(m + "_" + f).replace(".", "_") for m, f in idempotency.READS}
    return [path for path, operation in posts if operation["operationId"] not in reads]


def test_the_openapi_document_names_the_header_on_every_creating_post():
    document, posts = _post_operations()
    creating = set(_creating())
    assert len(creating) >= 25
    for path, operation in posts:
        names = [p["name"] for p in operation.get("parameters", [])]
        assert ("Idempotency-Key" in names) == (path in creating), path
        if path in creating:
            assert 409 in operation["responses"] or "409" in operation["responses"]


@pytest.mark.parametrize("path", _creating())
def test_every_creating_endpoint_answers_a_repeat_from_its_stored_answer(
    path, village_worker, settings, tmp_path
):
    """Each creating POST, whatever it answers (here mostly a refusal of an empty body or an
    unknown id), gives the same answer to a repeat with the key, marked as replayed, and
    keeps one row for it."""
    settings.VAR_DIR = tmp_path / "var"
    client = _api(village_worker)
    url = re.sub(r"\{[^}]+\}", "999999", path)
    answers = [
        client.post(url, "{}", content_type="application/json",
                    headers={"Idempotency-Key": "every-1"})
        for _ in range(2)
    ]  # fmt: skip
    first, again = answers
    assert first.status_code < 500, first.content
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.filter(key="every-1").count() == 1


def _digest_of(path: str, body: str) -> str:
    import hashlib

    return hashlib.sha256(path.encode() + b"\0body\0" + body.encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_are_done_once(divisions, village_worker, register_inflow):
    """Two identical requests at the same moment, each in its own connection: the unique
    constraint lets one do it; the other waits (409) or gets its answer."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database has one connection")
    from yipanqi.services.seed import seed_all

    seed_all()  # a transactional test starts from flushed tables
    person = register_inflow().person
    clients = [_api(village_worker), _api(village_worker)]
    barrier = threading.Barrier(2)
    statuses = []

    problems = []

    def post(client):
        try:
            barrier.wait()
            response = _record(client, person, "same-moment")
            statuses.append(response.status_code)
            if response.status_code >= 400:
                problems.append(response.content)
        except Exception as exc:  # reported by the assertion below
            problems.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ServiceRecord.objects.count() == 1, (statuses, problems)
    assert sorted(statuses) in ([201, 201], [201, 409]), (statuses, problems)
