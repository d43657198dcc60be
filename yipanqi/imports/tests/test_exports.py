"""Exports: what the user can see, streamed, masked unless permitted, audited (issue 5, P5)."""

import csv
import io

import pytest
from django.utils import translation
from python_calamine import load_workbook

from yipanqi.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_p5_person_export_masks_id_numbers_and_is_audited(client, village_worker, register_inflow):
    person = register_inflow().person
    client.force_login(village_worker)

    response = client.post("/imports/export/persons.csv", {"kind": "inflow"})

    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''persons-")
    rows = _csv(response)
    assert rows[0][:2] == ["Name", "ID number"]
    assert rows[1][0] == "王芳"
    assert rows[1][1] == person.id_number_masked
    assert all(person.reveal_id_number() not in cell for row in rows for cell in row)
    assert rows[1][7] == "138****8000"
    event = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert event.object_type == "persons"
    assert event.detail["identities"] is False and event.detail["format"] == "csv"


def test_p5_whole_id_numbers_only_with_the_export_permission(
    client, village_worker, register_inflow
):
    person = register_inflow().person
    village_worker.can_export_identities = True
    village_worker.save(update_fields=["can_export_identities"])
    client.force_login(village_worker)

    rows = _csv(
        client.post("/imports/export/persons.csv", {"id_number": person.reveal_id_number()})
    )

    assert rows[1][1] == person.reveal_id_number()
    assert rows[1][7] == "13800138000"
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail["identities"] is True
    # P5: the searched ID number is recorded masked, never whole.
    assert event.detail["filters"]["id_number"] == person.id_number_masked


def test_r_acc_2_export_holds_only_what_the_user_can_see(
    client, other_county_admin, register_inflow
):
    register_inflow()
    client.force_login(other_county_admin)

    rows = _csv(client.post("/imports/export/persons.csv", {}))

    assert rows == [rows[0]]  # the header only


def test_xlsx_export_of_registrations(client, township_operator, register_inflow, tmp_path):
    register_inflow()
    client.force_login(township_operator)  # the home side sees the record too (P3)

    response = client.get("/imports/export/registrations.xlsx")

    path = tmp_path / "r.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = load_workbook(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "Registration"
    assert rows[1][2] == "王芳"


def test_requests_export_follows_the_box_filters(client, village_worker, register_inflow):
    from conftest import SANTAI_TOWNSHIP
    from yipanqi.exchange.services import send_request

    person = register_inflow().person
    send_request(
        "verification", sender_code=village_worker.jurisdiction_id, receiver_code=SANTAI_TOWNSHIP,
        acting_user=village_worker, idempotency_key="k1", persons=[person],
    )  # fmt: skip
    client.force_login(village_worker)

    outbox = _csv(client.post("/imports/export/requests.csv", {"box": "outbox"}))
    inbox = _csv(client.post("/imports/export/requests.csv", {"box": "inbox"}))

    assert len(outbox) == 2 and outbox[1][1] == "Verification request"
    assert len(inbox) == 1


def test_export_buttons_on_the_search_and_box_pages(client, village_worker, register_inflow):
    register_inflow()
    client.force_login(village_worker)

    search = client.get("/persons/", {"kind": "inflow"}).content.decode()  # issue 12.13: a GET
    box = client.get("/exchange/outbox/").content.decode()

    assert 'action="/imports/export/persons.xlsx"' in search
    assert 'name="kind" value="inflow"' in search
    assert 'action="/imports/export/requests.xlsx"' in box
    assert 'name="box" value="outbox"' in box


def test_separated_administrators_cannot_export_persons(client, auditor):
    client.force_login(auditor)
    assert client.post("/imports/export/persons.csv", {}).status_code in (403, 404)
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_unknown_lists_and_formats_are_not_found(client, village_worker):
    client.force_login(village_worker)
    assert client.get("/imports/export/passwords.csv").status_code == 302
    assert client.get("/imports/export/persons.pdf").status_code == 302
