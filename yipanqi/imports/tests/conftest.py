"""Files as villages, provinces and departments send them, and the import services to run them."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for

TODAY = dt.date(2026, 4, 20)
HEADER = ["序号", "姓名", "身份证号", "性别", "户籍地", "现居住地", "到达日期", "流动原因",
          "婚姻状况", "联系电话"]  # fmt: skip


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Uploaded files, progress and reports go to a temporary directory."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def inflow_row(n: int, **overrides) -> list:
    """A valid inflow row: a woman from 三台县 living in 南山区, ID unique per n."""
    values = {
        "no": n,
        "name": f"王芳{n}",
        "id": id_for(birth=dt.date(1990, 1, 1) + dt.timedelta(days=n), seq=n % 500),
        "sex": "女",
        "home": SANTAI_VILLAGE,
        "residence": NANSHAN_VILLAGE,
        "arrival": "2026-03-05",
        "reason": "务工",
        "marital": "已婚",
        "phone": f"138{n:08d}",
    }
    values.update(overrides)
    return list(values.values())


def write_csv(path: Path, rows: list[list], *, encoding="utf-8", title=True, header=HEADER):
    with path.open("w", encoding=encoding, newline="") as handle:
        out = csv.writer(handle)
        if title:
            out.writerow(["南山区南头城社区2026年3月流入人口登记表"])
        out.writerow(header)
        out.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], *, header=HEADER, merged_title=True):
    """A spreadsheet as villages keep them: a merged title row, a note row, then the header."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "流入登记"
    if merged_title:
        sheet.append(["南山区南头城社区2026年3月流入人口登记表"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.append(["填报单位：南头城社区居委会", None, None, None, None, "填报日期：2026-03-31"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def run_import(village_worker):
    """Import a file through the service the command uses; returns the finished job."""
    from yipanqi.imports.services import import_path

    def _run(path, **options):
        arguments = {
            "kind": "inflow",
            "unit": NANSHAN_VILLAGE,
            "acting_user": village_worker,
            "today": TODAY,
        }
        arguments.update(options)
        return import_path(path, **arguments)

    return _run
