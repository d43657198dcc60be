import csv
import gzip
from pathlib import Path

import pytest
from django.utils import translation

from yipanqi.divisions.queries import clear_caches


@pytest.fixture(autouse=True)
def english():
    """Assertions read the English source strings, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def test_divisions(django_db_setup, django_db_blocker):
    """The shared test subset; the root conftest loads it too, and a second load is a no-op."""
    from yipanqi.divisions.testing import load_test_divisions

    with django_db_blocker.unblock():
        load_test_divisions()


# A tiny reference data set with real codes: 南山区 and 东城区 down to villages, plus a 2021
# village under 110105400, a township code that no longer exists in 2023.
TINY = {
    "2023/provinces.csv.gz": [("11", "北京市", ""), ("44", "广东省", "")],
    "2023/cities.csv.gz": [("1101", "市辖区", "11"), ("4403", "深圳市", "44")],
    "2023/counties.csv.gz": [("110101", "东城区", "1101"), ("440305", "南山区", "4403")],
    "2023/townships.csv.gz": [
        ("110101001", "东华门街道", "110101"),
        ("440305001", "南头街道", "440305"),
    ],
    "2021/villages.csv.gz": [
        ("110101001001", "多福巷社区居委会", "110101001"),
        ("440305001001", "南头城社区居委会", "440305001"),
        ("110105400001", "南路西里社区居委会", "110105400"),
        ("110105400002", "南路东里社区居委会", "110105400"),
    ],
}


def write_data(root: Path, files: dict, header=("code", "name", "parent_code")) -> Path:
    for relative, rows in files.items():
        path = root / "divisions" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return root


@pytest.fixture
def tiny_data(tmp_path):
    """Build a data dir from TINY with optional per-file replacements: tiny_data(**{file: rows})."""

    def build(replace: dict | None = None, header=("code", "name", "parent_code")) -> Path:
        files = {**TINY, **(replace or {})}
        return write_data(tmp_path, files, header)

    yield build
    # The loads above ran inside a rolled-back test transaction; no cached code may survive them.
    clear_caches()
