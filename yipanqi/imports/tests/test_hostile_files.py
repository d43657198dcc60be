"""Issue 16.1: a hostile file is refused with a plain reason, changes nothing, and never takes
the server down (the 1.7 KB sheet with a cell at XFD1048576 aborted the process that read it).

Each file is sent as a village worker sends one: through the upload page or the API.
"""

import random
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from yipanqi.imports import guard
from yipanqi.imports.models import ImportJob
from yipanqi.imports.reading import open_table
from yipanqi.imports.tests.conftest import inflow_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
    '"xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
    '"worksheets/sheet1.xml"/></Relationships>'
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>身份证号</t></is></c></row>'
)


def workbook(path: Path, sheet_xml, *, prolog='<?xml version="1.0" encoding="UTF-8"?>') -> Path:
    """A minimal XLSX around one worksheet part, as a hostile tool would write it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        data = sheet_xml if isinstance(sheet_xml, bytes) else (prolog + sheet_xml).encode()
        archive.writestr("xl/worksheets/sheet1.xml", data)
    return path


def sheet(rows: str, *, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"<worksheet {NS}>{dim}<sheetData>{HEADER_ROW}{rows}</sheetData></worksheet>"


@pytest.fixture(autouse=True)
def chinese(client):
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        yield


def upload(client, user, path: Path):
    client.force_login(user)
    with path.open("rb") as handle:
        return client.post("/imports/", {"kind": "inflow", "file": handle})


def refused(response, words: str) -> None:
    """The page came back (no crash), says why in plain Chinese, and nothing was kept."""
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page, page[:3000]
    assert ImportJob.objects.count() == 0


def no_file_kept(var_dir: Path) -> None:
    kept = [p for p in (var_dir / "imports").rglob("*") if p.is_file()]
    assert kept == []


def test_a_cell_at_the_last_column_and_row_fails_only_its_upload(
    client, village_worker, tmp_path, var_dir
):
    """Given the 1.7 KB sheet of the probe (no dimension, one cell at XFD1048576), when it is
    uploaded, then the reader's own process hits its memory limit, the server answers with a
    plain reason, nothing is kept, and the next upload of a real file works."""
    path = workbook(
        tmp_path / "far.xlsx", sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    )
    assert path.stat().st_size < 2000

    response = upload(client, village_worker, path)

    refused(response, "表格太大或已损坏")
    no_file_kept(var_dir)
    good = write_xlsx(tmp_path / "登记.xlsx", [inflow_row(1)])
    assert upload(client, village_worker, good).status_code == 302
    assert ImportJob.objects.count() == 1


def test_implicit_cells_that_outgrow_memory_fail_in_the_reader_process(tmp_path, settings):
    """Given cells without references (each one column further) and a row far below, with no
    dimension and little compression, then only the limited reader process runs out."""
    rng = random.Random(7)
    cells = "".join(f"<c><v>{rng.randrange(10**12)}</v></c>" for _ in range(5000))
    path = workbook(
        tmp_path / "implicit.xlsx",
        sheet(f'<row r="2">{cells}</row><row r="1000000"><c><v>1</v></c></row>'),
    )
    settings.IMPORT_READER_MEMORY_BYTES = 1024 * 1024 * 1024
    settings.IMPORT_MAX_COLUMNS = 100_000  # so that only the memory limit can stop it

    with pytest.raises(guard.FileRefused, match="表格太大或已损坏"):
        open_table(path).head(5)


def test_a_declared_dimension_beyond_the_limits_is_refused_before_reading(
    client, village_worker, tmp_path
):
    path = workbook(tmp_path / "dim.xlsx", sheet("", dimension="A1:XFD1048576"))

    refused(upload(client, village_worker, path), "列")


def test_a_sheet_wider_than_the_column_limit_is_refused(client, village_worker, tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    cells = "".join(f'<c t="inlineStr"><is><t>列{n}</t></is></c>' for n in range(30))

    response = upload(
        client, village_worker, workbook(tmp_path / "w.xlsx", sheet(f"<row>{cells}</row>"))
    )

    refused(response, "超过 20 列")


@pytest.mark.parametrize(
    "prolog",
    [
        # XXE: an external entity (it answered 500 before)
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        # billion laughs: internal entities that expand to gigabytes
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        # a lower-case declaration
        '<?xml version="1.0"?><!doctype x>',
    ],
)
def test_xml_declarations_are_refused(client, village_worker, tmp_path, prolog):
    path = workbook(tmp_path / "xxe.xlsx", sheet(""), prolog=prolog)

    refused(upload(client, village_worker, path), "不能导入")


def test_a_part_in_utf16_is_refused_so_the_scan_sees_what_the_reader_sees(
    client, village_worker, tmp_path
):
    body = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x>' + sheet("")).encode("utf-16")

    refused(upload(client, village_worker, workbook(tmp_path / "u.xlsx", body)), "损坏")


def test_a_zip_bomb_is_refused_by_its_ratio_without_inflating_it(
    client, village_worker, tmp_path, var_dir
):
    """Given 300 MB of blanks packed into a 300 KB sheet (the probe's bomb held SQLite's write
    lock for nine minutes), then it is refused at upload, before any transaction."""
    path = tmp_path / "bomb.xlsx"
    workbook(path, sheet(""))
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w") as part,
    ):
        for _ in range(300):
            part.write(b" " * (1 << 20))

    refused(upload(client, village_worker, path), "解压后")
    no_file_kept(var_dir)


def test_the_unzipped_total_is_limited_even_at_a_plausible_ratio(tmp_path, settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 2 * 1024 * 1024
    rng = random.Random(1)
    rows = "".join(f"<row><c><v>{rng.randrange(10**15)}</v></c></row>" for _ in range(150_000))
    path = workbook(tmp_path / "big.xlsx", sheet(rows))

    with pytest.raises(guard.FileRefused, match="解压后"):
        open_table(path)


def test_a_member_larger_than_it_says_fails_its_check(tmp_path):
    """A zip whose headers understate a member's size (to pass the ratio check) is caught by
    the inflated bytes' CRC, not trusted."""
    path = workbook(tmp_path / "lie.xlsx", sheet("<row><c><v>1</v></c></row>" * 2000))
    name = b"xl/worksheets/sheet1.xml"
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name.decode()).header_offset
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")  # the local header's size
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # the directory's size
    path.write_bytes(bytes(data))

    with pytest.raises(guard.FileRefused, match="损坏"):
        open_table(path)


def test_a_csv_of_a_million_columns_is_refused_at_upload(client, village_worker, tmp_path, var_dir):
    """The probe's 1M-column CSV left its job 'running' forever; now the upload says why."""
    path = tmp_path / "wide.csv"
    path.write_text("姓名,身份证号" + ",x" * 1_000_000 + "\n", encoding="utf-8")

    refused(upload(client, village_worker, path), "超过 256 列")
    no_file_kept(var_dir)


def test_a_csv_cell_longer_than_any_register_holds_is_refused(client, village_worker, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('姓名,身份证号\n"' + "王" * 200_000 + '",1\n', encoding="utf-8")

    refused(upload(client, village_worker, path), "太长")


def test_a_csv_with_more_rows_than_the_limit_is_refused(client, village_worker, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 10
    path = write_csv(tmp_path / "rows.csv", [inflow_row(n) for n in range(1, 30)])

    refused(upload(client, village_worker, path), "超过 10 行")


def test_a_file_over_the_size_limit_is_refused_from_its_length(
    client, village_worker, tmp_path, settings, var_dir
):
    """Given a size limit (a setting) of 1 MB, a 3 MB upload is answered 413 with the limit
    in words, before its body is read."""
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (3 * 1024 * 1024))

    response = upload(client, village_worker, path)

    assert response.status_code == 413
    assert "文件超过 1 MB" in response.content.decode()
    assert ImportJob.objects.count() == 0
    no_file_kept(var_dir)


def test_a_file_over_the_size_limit_is_dropped_while_it_arrives(
    client, village_worker, tmp_path, settings, var_dir, monkeypatch
):
    """A body that does not say its length (chunked) is cut off by the upload handler as it
    arrives, and the form says why."""
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    monkeypatch.setattr(guard.UploadSizeMiddleware, "SLACK", 10**9)
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (3 * 1024 * 1024))

    refused(upload(client, village_worker, path), "文件超过 1 MB")
    no_file_kept(var_dir)


def test_the_api_answers_413_for_a_body_over_the_limit_before_reading_it(
    client, village_worker, tmp_path, settings
):
    from yipanqi.accounts.models import ApiToken

    settings.IMPORT_MAX_BYTES = 1024 * 1024
    _, key = ApiToken.issue(village_worker, name="test")
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (3 * 1024 * 1024))
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/imports/",
            {"kind": "inflow", "file": handle},
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]
    assert ImportJob.objects.count() == 0


def test_a_real_register_still_goes_through_the_checks(tmp_path):
    """The checks refuse nothing a village sends: a register as Excel writes it opens."""
    path = write_xlsx(tmp_path / "登记.xlsx", [inflow_row(n) for n in range(1, 50)])

    table = open_table(path)

    assert table.format == "xlsx" and len(table.head(60)) == 52
    assert table.height() >= 51  # the progress bar's estimate (calamine's total height)
