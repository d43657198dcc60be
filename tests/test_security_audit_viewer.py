"""Issue 7, item 3: the auditor's viewer of the audit trail, with filters and export (R-ACC-2:
who read which person is answerable)."""

import csv
import io
import zipfile

from django.test import Client
from openpyxl import load_workbook

from yipanqi.audit.models import AuditEvent


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_r_acc_2_auditor_filters_the_trail_and_the_reading_is_audited(
    register_inflow, auditor, village_worker
):
    """Issue 7.3: filter by user and action; the viewing itself becomes a row."""
    person = register_inflow().person
    _client(village_worker).get(f"/persons/{person.pk}/")
    client = _client(auditor)
    page = client.get("/audit/", {"actor": "alice", "action": "person_view"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f"#{person.pk}" in html and "alice" in html
    shown = list(page.context["page"].object_list)
    assert shown and {(e.action, e.actor_name) for e in shown} == {("person_view", "alice")}
    assert AuditEvent.objects.filter(
        action="audit_view", actor=auditor, detail__action="person_view"
    ).exists()


def test_r_acc_2_auditor_exports_csv_and_xlsx_and_the_export_is_audited(register_inflow, auditor):
    """Issue 7.3: the filtered selection downloads as CSV and XLSX, formula-safe."""
    register_inflow()
    client = _client(auditor)
    response = client.get("/audit/", {"action": "person_create", "export": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][3].startswith("person_create")
    response = client.get("/audit/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 3
    exports = AuditEvent.objects.filter(action="audit_export", actor=auditor)
    assert {e.detail["format"] for e in exports} == {"csv", "xlsx"}


def test_r_acc_2_bad_filters_are_refused_plainly_and_nobody_else_opens_the_viewer(
    auditor, village_worker, province_admin
):
    """Issue 7.2/7.3: a reversed date range is a 400 with a message; others get 404."""
    response = _client(auditor).get(
        "/audit/", {"since": "2026-05-01", "until": "2026-04-01", "person": "abc"}
    )
    assert response.status_code == 400
    for user in (village_worker, province_admin):
        assert _client(user).get("/audit/").status_code == 404
    assert Client().get("/audit/").status_code == 404


def test_issue_16_3_a_formula_typed_as_a_reason_is_exported_as_text(
    register_inflow, other_county_admin, auditor
):
    """Issue 16.3: a break-glass reason `=HYPERLINK(...)` reaches the auditor's CSV behind an
    apostrophe and the XLSX as a string cell, never as a formula (core.sheets)."""
    from yipanqi.emergency import services as emergency

    hostile = '=HYPERLINK("http://x","y")'
    person = register_inflow().person
    emergency.open_in_emergency(
        person.reveal_id_number(), case="medical", reason=hostile, acting_user=other_county_admin
    )
    client = _client(auditor)

    csv_body = client.get("/audit/", {"action": "break_glass", "export": "csv"}).content
    xlsx_body = client.get("/audit/", {"action": "break_glass", "export": "xlsx"}).content

    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    assert rows[1][8] == "'" + hostile
    with zipfile.ZipFile(io.BytesIO(xlsx_body)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    cells = [c for row in load_workbook(io.BytesIO(xlsx_body)).active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c for c in cells if c.value == hostile and c.data_type == "s"]
