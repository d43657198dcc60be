"""Load the statistical division codes (R-JUR-1) from the reference data into the database.

The 2023 edition gives provinces, cities, counties and townships; villages come from the 2021
edition and are kept only where their township still exists in 2023 (codes change between
editions). One transaction: a malformed file raises DivisionDataError and writes nothing.
"""

import csv
import gzip
import io
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from yipanqi.core.planner import refresh_statistics
from yipanqi.divisions.codes import LEVEL_LENGTHS, InvalidCode, level_of
from yipanqi.divisions.models import PATH_SEPARATOR, Division

# R-JUR-2: city-level rows that stand for "no real city here" (municipalities' 市辖区/县, and the
# parents of county-level units directly under a province such as 4190 济源市's parent).
PLACEHOLDER_CITY_NAMES = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "省直辖县级行政单位", "自治区直辖县级行政区划"}
)

# (file, edition) per level; villages are older than the rest on purpose (see the data README).
LEVEL_FILES = {
    1: ("2023/provinces.csv.gz", 2023),
    2: ("2023/cities.csv.gz", 2023),
    3: ("2023/counties.csv.gz", 2023),
    4: ("2023/townships.csv.gz", 2023),
    5: ("2021/villages.csv.gz", 2021),
}
COLUMNS = ("code", "name", "parent_code")
NAME_MAX_LENGTH = 100

# One output row: code, level, name, parent_id, is_placeholder, path_name, edition.
Row = tuple[str, int, str, str | None, bool, str, int]
Progress = Callable[[str], None]


class DivisionDataError(ValueError):
    """The reference data is malformed; nothing was written."""


@dataclass
class LevelCounts:
    level: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    @property
    def loaded(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadReport:
    """What one load did, per level (1 province … 5 village)."""

    levels: dict[int, LevelCounts] = field(
        default_factory=lambda: {level: LevelCounts(level) for level in LEVEL_FILES}
    )
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(c.created for c in self.levels.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.levels.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.levels.values())

    @property
    def skipped(self) -> int:
        return sum(c.skipped for c in self.levels.values())

    @property
    def loaded(self) -> int:
        return sum(c.loaded for c in self.levels.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def load_divisions(
    data_dir: Path | None = None,
    *,
    within: list[str] | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Create or update every division from data_dir (default settings.DATA_DIR), idempotently.

    within=None loads everything; a list of code prefixes loads levels 1–3 in full and only the
    townships and villages inside those prefixes (plus the townships above a village prefix).
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    root = Path(data_dir if data_dir is not None else settings.DATA_DIR) / "divisions"
    prefixes = _check_prefixes(within)

    report = LoadReport()
    rows = _read_all(root, prefixes, report, say)

    # Imported here: queries imports models, and the caches must never outlive a load.
    from yipanqi.divisions.queries import clear_caches

    clear_caches()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _write_postgresql(rows, report, say)
        else:
            _write_executemany(rows, report, say)
        transaction.on_commit(clear_caches)
    report.seconds = time.perf_counter() - started
    return report


def _check_prefixes(within: list[str] | None) -> tuple[str, ...] | None:
    if within is None:
        return None
    prefixes = tuple(code.strip() for code in within)
    for code in prefixes:
        try:
            level_of(code)
        except InvalidCode:
            raise ValueError(_("Not a division code: %(code)s") % {"code": code}) from None
    return prefixes


# --- reading and checking -----------------------------------------------------------------------


def _read_all(
    root: Path, prefixes: tuple[str, ...] | None, report: LoadReport, say: Progress
) -> list[Row]:
    """Parse and check every level, compute placeholders and path names; no database access."""
    rows: list[Row] = []
    # Per code of levels 1–4: the display path (without placeholders) that descendants extend,
    # and its last name, to collapse a stand-in county named after its city (东莞市 › 东莞市).
    display: dict[str, tuple[str, str]] = {}
    township_filter = None
    village_filter = prefixes
    if prefixes is not None:
        township_filter = prefixes + tuple(p[:9] for p in prefixes if len(p) > 9)

    for level, (relative, edition) in LEVEL_FILES.items():
        path = root / relative
        line_filter = {4: township_filter, 5: village_filter}.get(level)
        records = _read_level(path, level, line_filter)
        say(_("Read %(count)d rows from %(file)s") % {"count": len(records), "file": relative})
        counts = report.levels[level]
        for lineno, code, name, parent in records:
            if level == 1:
                parent_view = None
            else:
                parent_view = display.get(parent)
                if parent_view is None:
                    if level == 5:
                        # Codes change between editions: this township is gone in 2023.
                        counts.skipped += 1
                        continue
                    raise DivisionDataError(
                        _("%(file)s line %(line)d: parent %(parent)s of %(code)s is missing")
                        % {"file": path, "line": lineno, "parent": parent, "code": code}
                    )
            is_placeholder = level == 2 and name in PLACEHOLDER_CITY_NAMES
            if parent_view is None:
                path_name = name
            elif parent_view[1] == name:
                path_name = parent_view[0]
            else:
                path_name = parent_view[0] + PATH_SEPARATOR + name
            if level < 5:
                # R-JUR-2: descendants of a placeholder city hang directly under the province.
                display[code] = parent_view if is_placeholder else (path_name, name)
            rows.append((code, level, name, parent or None, is_placeholder, path_name, edition))
    return rows


def _read_level(
    path: Path, level: int, line_filter: tuple[str, ...] | None
) -> list[tuple[int, str, str, str]]:
    """(line number, code, name, parent code) per row of one level's file, checked."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise DivisionDataError(_("%(file)s: file not found") % {"file": path}) from None
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as error:
        raise DivisionDataError(
            _("%(file)s: not a readable gzipped UTF-8 CSV file (%(error)s)")
            % {"file": path, "error": error}
        ) from None

    numbered: Iterable[tuple[int, list[str]]]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None) or []
    header = [column.strip().lstrip("\ufeff") for column in header]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise DivisionDataError(
            _("%(file)s: missing column %(column)s") % {"file": path, "column": missing[0]}
        )
    code_at, name_at, parent_at = (header.index(column) for column in COLUMNS)
    width = max(code_at, name_at, parent_at) + 1

    if line_filter is None:
        numbered = enumerate(reader, start=2)
    else:
        # A subset load skips most of the 600k village lines before the csv module sees them;
        # the code is the first column, so a line of interest starts with one of the prefixes.
        kept = [
            (number, line)
            for number, line in enumerate(text.splitlines(), start=1)
            if number > 1 and (code_at != 0 or line.startswith(line_filter) or '"' in line)
        ]
        numbered = ((number, next(csv.reader([line]), [])) for number, line in kept)

    length = LEVEL_LENGTHS[level]
    parent_length = LEVEL_LENGTHS.get(level - 1, 0)
    seen: set[str] = set()
    records = []
    for lineno, values in numbered:
        if not values:
            continue
        if len(values) < width:
            raise DivisionDataError(
                _("%(file)s line %(line)d: too few columns") % {"file": path, "line": lineno}
            )
        code = values[code_at].strip()
        if line_filter is not None and not code.startswith(line_filter):
            continue
        name = values[name_at].strip()
        parent = values[parent_at].strip()
        if len(code) != length or not code.isdigit():
            raise DivisionDataError(
                _("%(file)s line %(line)d: bad code %(code)s")
                % {"file": path, "line": lineno, "code": code}
            )
        if parent != code[:parent_length]:
            raise DivisionDataError(
                _("%(file)s line %(line)d: code %(code)s does not match its parent code %(parent)s")
                % {"file": path, "line": lineno, "code": code, "parent": parent}
            )
        if not name or len(name) > NAME_MAX_LENGTH:
            raise DivisionDataError(
                _("%(file)s line %(line)d: bad name for %(code)s")
                % {"file": path, "line": lineno, "code": code}
            )
        if code in seen:
            raise DivisionDataError(
                _("%(file)s line %(line)d: duplicate code %(code)s")
                % {"file": path, "line": lineno, "code": code}
            )
        seen.add(code)
        records.append((lineno, code, name, parent))
    return records


# --- writing ------------------------------------------------------------------------------------

_COLUMNS_SQL = "code, level, name, parent_id, is_placeholder, path_name, edition"


def _table() -> str:
    return connection.ops.quote_name(Division._meta.db_table)


def _write_executemany(rows: list[Row], report: LoadReport, say: Progress) -> None:
    """SQLite (and any other backend): diff against what is stored, then executemany."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS_SQL} FROM {table}")  # noqa: S608 (no user input)
        stored = {row[0]: tuple(row) for row in cursor.fetchall()}
        inserts, updates = [], []
        for row in rows:
            counts = report.levels[row[1]]
            old = stored.get(row[0])
            if old is None:
                counts.created += 1
                inserts.append(row)
            elif (old[1], old[2], old[3], bool(old[4]), old[5], old[6]) == row[1:]:
                counts.unchanged += 1
            else:
                counts.updated += 1
                updates.append((*row[1:], row[0]))
        say(_("Writing %(created)d new and %(updated)d changed rows") % _totals(report))
        if inserts:
            cursor.executemany(
                f"INSERT INTO {table} ({_COLUMNS_SQL}) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                inserts,
            )
        if updates:
            cursor.executemany(
                f"UPDATE {table} SET level = %s, name = %s, parent_id = %s, "  # noqa: S608
                "is_placeholder = %s, path_name = %s, edition = %s WHERE code = %s",
                updates,
            )


def _write_postgresql(rows: list[Row], report: LoadReport, say: Progress) -> None:
    """COPY into a staging table, then one set-based upsert that touches only changed rows."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS division_staging")
        cursor.execute(
            "CREATE TEMP TABLE division_staging (code varchar(12) NOT NULL, level smallint,"
            " name varchar(100), parent_id varchar(12), is_placeholder boolean,"
            " path_name varchar(300), edition smallint) ON COMMIT DROP"
        )
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(f"COPY division_staging ({_COLUMNS_SQL}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        say(_("Staged %(count)d rows") % {"count": len(rows)})
        cursor.execute(
            f"""
            WITH written AS (
                INSERT INTO {table} AS d ({_COLUMNS_SQL})
                SELECT {_COLUMNS_SQL} FROM division_staging ORDER BY code
                ON CONFLICT (code) DO UPDATE SET
                    level = EXCLUDED.level, name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
                    is_placeholder = EXCLUDED.is_placeholder, path_name = EXCLUDED.path_name,
                    edition = EXCLUDED.edition
                WHERE (d.level, d.name, d.parent_id, d.is_placeholder, d.path_name, d.edition)
                    IS DISTINCT FROM (EXCLUDED.level, EXCLUDED.name, EXCLUDED.parent_id,
                    EXCLUDED.is_placeholder, EXCLUDED.path_name, EXCLUDED.edition)
                RETURNING d.level, (d.xmax = 0) AS inserted
            )
            SELECT level, inserted, count(*) FROM written GROUP BY level, inserted
            """  # noqa: S608 (table name from the model, no user input)
        )
        for level, inserted, count in cursor.fetchall():
            if inserted:
                report.levels[level].created += count
            else:
                report.levels[level].updated += count
        per_level: dict[int, int] = {}
        for row in rows:
            per_level[row[1]] = per_level.get(row[1], 0) + 1
        for level, total in per_level.items():
            counts = report.levels[level]
            counts.unchanged = total - counts.created - counts.updated
        cursor.execute("DROP TABLE division_staging")
        if report.created > 10_000:
            # Fresh statistics, so the planner uses the code index at once for subtree queries.
            refresh_statistics([table])
        say(_("Writing %(created)d new and %(updated)d changed rows") % _totals(report))


def _totals(report: LoadReport) -> dict[str, int]:
    return {"created": report.created, "updated": report.updated}
