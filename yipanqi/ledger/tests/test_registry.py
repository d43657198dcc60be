"""The ledger counts what a domain registers, and knows no domain itself (issue 13.4)."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Q

from conftest import BEIJING, NANSHAN_VILLAGE
from yipanqi.core.models import IdempotencyKey
from yipanqi.ledger import counters, families
from yipanqi.ledger.families import Count, Family
from yipanqi.ledger.models import StatCounter

LEDGER = Path(__file__).resolve().parents[1]
SENT = dt.datetime(2026, 9, 30, 23, 30, tzinfo=BEIJING)  # 30 September in Beijing

# A family over a model of core, so the test needs no domain: keys counted at the division
# their owner names, in the (Beijing) month they were received.
KEYS = Family(
    name="test_keys",
    model_label="core.IdempotencyKey",
    base=Q(owner__startswith="44"),
    base_test=lambda k: k.owner.startswith("44"),
    division="owner",
    month_field="created_at",
    counts=(
        Count("test.keys", Q(), lambda k: True),
        Count("test.answered", Q(status_code__isnull=False), lambda k: k.status_code is not None),
    ),
)


@pytest.fixture
def registry():
    """The registry as the apps left it, restored after the test."""
    saved = list(families.FAMILIES)
    yield families
    families.FAMILIES[:] = saved


def _key(n: int, *, status_code=None) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        owner=NANSHAN_VILLAGE,
        key=f"k{n}",
        operation="test",
        body_hash="0" * 64,
        status_code=status_code,
        created_at=SENT,
        expires_at=SENT + dt.timedelta(days=1),
    )


def _value(metric: str, code: str) -> int:
    row = StatCounter.objects.filter(
        metric=metric, division_code=code, key="", period_start=dt.date(2026, 9, 1)
    ).first()
    return row.value if row else 0


def test_a_registered_family_is_counted_live_and_by_the_recount(db, registry):
    """R-STAT-1: a fact of a registered family counts at its division, every ancestor and the
    nation, in its Beijing month; the live delta and the recount agree."""
    unregistered = _key(1, status_code=200)
    assert registry.families_of("core.IdempotencyKey") == []
    assert counters.fact_added(unregistered) == 0

    registry.register([KEYS])
    registry.register([KEYS])  # idempotent by name
    assert registry.families_of("core.IdempotencyKey") == [KEYS]
    assert registry.family_of_metric("test.answered") is KEYS
    counters.recount("test_keys")  # the row written before its family was registered
    counters.fact_added(_key(2))

    for code in ("", "44", "4403", "440305", "440305001", NANSHAN_VILLAGE):
        assert _value("test.keys", code) == 2
        assert _value("test.answered", code) == 1
    assert counters.check("test_keys").ok
    counters.recount("test_keys")
    assert _value("test.keys", "") == 2
    assert counters.check("test_keys").ok


def _planner_rows(table: str) -> int | None:
    """The planner's row count of a table from its statistics; None when it has none."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # pg_statistic rows roll back with the test; pg_class.reltuples is updated in place
            cursor.execute("SELECT 1 FROM pg_stats WHERE tablename = %s", [table])
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        found = cursor.fetchone()
        return int(found[0].split()[0]) if found else None


def test_issue_17_the_recount_plans_with_statistics_of_rows_just_written(db, registry):
    """Issue 17: rows bulk-written in the recount's own (uncommitted) transaction have no
    planner statistics; the recount refreshes those of every table it reads before its
    set-based statements, so none is planned as if the table were empty."""
    registry.register([KEYS])
    table = IdempotencyKey._meta.db_table
    for n in range(30):
        _key(n)
    assert _planner_rows(table) is None

    counters.recount("test_keys")

    assert _planner_rows(table) == 30
    assert _value("test.keys", "") == 30


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "yipanqi" and len(parts) > 1:
                apps.add(parts[1])
    return apps


def test_the_ledger_imports_no_domain_app():
    """Issue 13.4: the ledger sits below the domains; it may import only core and divisions."""
    sources = [
        p for p in LEDGER.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]
    assert sources
    imported = set().union(*(_imported_apps(p) for p in sources))
    assert imported <= {"core", "divisions", "ledger"}, imported
