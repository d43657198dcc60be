"""Keeping the counters (StatCounter) equal to the facts, in the transaction that changes them.

Live path: a service that changes a counted fact calls one function here inside its own
transaction: `fact_added(row)` for a new row, `fact_changed(before, after)` for a changed one
(`as_before` makes the copy), `rows_stamped` for a set-based transition (the sweep); the
domain apps' `counted.py` name their own transitions with these (`request_answered`,
`person_changed`, ...). Each computes the row's contribution before and after the change with
the in-memory predicates of the registered families (families.py), expands it to the
division's ancestors and the nation, and applies the difference with one set-based upsert
(`INSERT ... ON CONFLICT DO UPDATE SET value = value + excluded.value`, SQLite and PostgreSQL).
Cells are written in sorted order so that two transactions lock shared rows (the nation's)
in the same order and cannot deadlock.

Bulk path: `recount()` rebuilds the counters of some or all families from the raw tables with
set-based SQL (one GROUP BY scan per family into a temporary table, then one roll-up per level);
`check()` computes the same expected figures and lists every cell that differs.
"""

import copy
import datetime as dt
import time
import types
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import CharField, Count, DateField, F, Value
from django.db.models.functions import Cast, Concat, TruncMonth

from yipanqi.core.planner import refresh_statistics
from yipanqi.divisions.codes import LEVEL_LENGTHS
from yipanqi.ledger.families import FAMILIES, Family, families_of, walk
from yipanqi.ledger.models import StatCounter

Cell = tuple[str, str, str, dt.date]  # metric, key, leaf division code, month
_CHUNK = 300
_LEAF = "stats_leaf_tmp"
_EXPECTED = "stats_expected_tmp"


def _prefixes(code: str) -> list[str]:
    """The nation, every ancestor and the code itself (R-JUR-1: a subtree is a code prefix)."""
    return [""] + [code[:n] for n in sorted(LEVEL_LENGTHS.values()) if n <= len(code)]


def contributions(family: Family, row) -> dict[Cell, int]:
    """What one row adds to the family's counts (empty when it is not a fact of the family)."""
    if row is None or not family.base_test(row):
        return {}
    code = family.division_of(row)
    month = family.month_of(row)
    if not code or month is None:
        return {}
    key = family.key_of(row)
    return {(c.metric, key, code, month): 1 for c in family.counts if c.test(row)}


def _difference(family: Family, before, after) -> dict[Cell, int]:
    delta: dict[Cell, int] = defaultdict(int)
    for cell, n in contributions(family, after).items():
        delta[cell] += n
    for cell, n in contributions(family, before).items():
        delta[cell] -= n
    return delta


def apply_delta(delta: Mapping[Cell, int]) -> int:
    """Add delta to the counters of each cell's division, its ancestors and the nation, and to
    the key total; one upsert per 300 cells, in sorted order. Returns the cells written."""
    cells: dict[tuple[str, str, str, dt.date], int] = defaultdict(int)
    for (metric, key, code, month), n in delta.items():
        if not n:
            continue
        for prefix in _prefixes(code):
            cells[(prefix, metric, key, month)] += n
            if key:
                cells[(prefix, metric, "", month)] += n
    rows = sorted((cell, n) for cell, n in cells.items() if n)
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(StatCounter._meta.db_table)
    columns = ", ".join(
        quote(c) for c in ("division_code", "metric", "key", "period_start", "value")
    )
    conflict = ", ".join(quote(c) for c in ("division_code", "metric", "period_start", "key"))
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params = []
            for (code, metric, key, month), n in chunk:
                params += [code, metric, key, adapt(month), n]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {marks} "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {quote('value')} = "
                f"{table}.{quote('value')} + excluded.{quote('value')}",
                params,
            )
    return len(rows)


def bump(metric: str, code: str, month: dt.date, n: int = 1, *, key: str = "") -> int:
    """Add n to one metric of one division (and its ancestors) for the month of `month`."""
    return apply_delta({(metric, key, code, month.replace(day=1)): n})


# --- hooks called by the services that change counted facts ------------------------------------


def fact_added(row) -> int:
    """A new row (registration, request, ...) counts in every family of its model; in a grouped
    family (first check-up of the year) it may also change what its siblings count."""
    delta: dict[Cell, int] = defaultdict(int)
    for family in families_of(row._meta.label):
        if family.group_by:
            parent = getattr(row, family.group_by)
            siblings = _group_rows(family, getattr(row, f"{family.group_by}_id"))
            others = [r for r in siblings if r.pk != row.pk]
            for cell, n in _group_cells(family, parent, siblings).items():
                delta[cell] += n
            for cell, n in _group_cells(family, parent, others).items():
                delta[cell] -= n
            continue
        for cell, n in contributions(family, row).items():
            delta[cell] += n
    return apply_delta(delta)


def fact_changed(before, after) -> int:
    """A row changed from `before` (an in-memory copy) to `after`; apply the difference, also
    to the grouped rows under it (a stay's check-ups when the stay changes)."""
    delta: dict[Cell, int] = defaultdict(int)
    for family in families_of(after._meta.label):
        for cell, n in _difference(family, before, after).items():
            delta[cell] += n
    for family in _grouped_under(after._meta.label):
        rows = _group_rows(family, after.pk)
        for cell, n in _group_cells(family, after, rows).items():
            delta[cell] += n
        for cell, n in _group_cells(family, before, rows).items():
            delta[cell] -= n
    return apply_delta(delta)


def _grouped_under(parent_label: str) -> list[Family]:
    """The grouped families whose rows hang under rows of this model."""
    return [
        f
        for f in FAMILIES
        if f.group_by
        and f.model._meta.get_field(f.group_by).related_model._meta.label == parent_label
    ]


def _group_rows(family: Family, parent_id) -> list:
    if parent_id is None:
        return []
    rows = family.model._default_manager.filter(**{f"{family.group_by}_id": parent_id})
    related = [
        f.name
        for f in family.model._meta.get_fields()
        if f.many_to_one and f.name != family.group_by and f.concrete
    ]
    return list(rows.select_related(*related))


def _group_cells(family: Family, parent, rows) -> dict[Cell, int]:
    """What one group counts, with `parent` (e.g. a stay before or after a change) as the row
    every member hangs under: the members `group_test` picks, at the parent's division."""
    cells: dict[Cell, int] = defaultdict(int)
    if parent is None:
        return cells
    code = walk(parent, family.division.removeprefix(f"{family.group_by}__"))
    if not code:
        return cells
    (count,) = family.counts
    for row in family.group_test(parent, rows):
        if not family.base_test(_under(row, family.group_by, parent)):
            continue
        month = family.month_of(row)
        if month is not None:
            cells[(count.metric, family.key_of(row), code, month)] += 1
    return cells


def _under(row, field: str, parent):
    """The row as if it hung under `parent` (an in-memory copy; the row itself is unchanged)."""
    moved = copy.copy(row)
    setattr(moved, field, parent)
    return moved


def as_before(row, **fields):
    """An in-memory copy of `row` with these fields as they were before a change."""
    before = copy.copy(row)
    for name, value in fields.items():
        setattr(before, name, value)
    return before


def update_if_unchanged(row, unchanged: str, **changes) -> bool:
    """Write `changes` to `row` only while its field `unchanged` still holds the value this
    copy has (a conditional UPDATE: of two writers one wins), then to the row in memory, and
    let the counters follow in the caller's transaction (R-STAT-1). Whether it changed."""
    before = copy.copy(row)
    claimed = (
        type(row)
        ._default_manager.filter(pk=row.pk, **{unchanged: getattr(row, unchanged)})
        .update(**changes)
    )
    if claimed:
        for name, value in changes.items():
            setattr(row, name, value)
        fact_changed(before, row)
    return bool(claimed)


def rows_stamped(model, field: str, stamp) -> int:
    """A set-based transition: the rows of `model` now holding `field = stamp` had no value
    there before (the sweep's overdue claim, R-EX-3).

    Grouped in SQL by the fields the predicates read, evaluated once per group in Python.
    """
    delta: dict[Cell, int] = defaultdict(int)
    for family in families_of(model._meta.label):
        if field not in family.reads:
            continue
        fields = sorted(family.reads - {field})
        groups = (
            model._default_manager.filter(**{field: stamp})
            .values(*fields)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for group in groups:
            n = group.pop("n")
            after = types.SimpleNamespace(**group, **{field: stamp})
            before = types.SimpleNamespace(**group, **{field: None})
            for cell, value in _difference(family, before, after).items():
                delta[cell] += value * n
    return apply_delta(delta)


# --- recount and check ---------------------------------------------------------------------------


@dataclass
class RecountReport:
    families: list[str]
    leaf_rows: int
    counters: int
    seconds: float


def _families(metric: str | None) -> list[Family]:
    if metric is None:
        return list(FAMILIES)
    # A metric, a family, or the families named after it: "coverage" is coverage_stays, ...
    chosen = [
        f
        for f in FAMILIES
        if f.name == metric or metric in f.metrics or f.name.startswith(f"{metric}_")
    ]
    if not chosen:
        raise KeyError(metric)
    return chosen


def _leaf_queryset(family: Family):
    """One row per (division, month, key) with one count column per metric, from raw rows."""
    qs = (
        family.queryset()
        .filter(**{f"{family.division}__isnull": False})
        .annotate(
            s_code=F(family.division),
            s_month=_month_expression(family),
            s_key=F(family.key_field) if family.key_field else Value("", output_field=CharField()),
        )
        .values("s_code", "s_month", "s_key")
        .annotate(**{f"c{i}": Count("pk", filter=c.q) for i, c in enumerate(family.counts)})
        .order_by()
    )
    return qs


def _month_expression(family: Family):
    if family.month_is_text:
        # 'YYYY-MM' + '-01' read as a date: the same value on SQLite and PostgreSQL.
        return Cast(Concat(family.month_field, Value("-01")), output_field=DateField())
    return TruncMonth(family.month_field, output_field=DateField())


def _fill_leaf(cursor, family: Family) -> int:
    quote = connection.ops.quote_name
    width = len(family.counts)
    cursor.execute(f"DROP TABLE IF EXISTS {_LEAF}")
    counts = ", ".join(f"c{i} bigint" for i in range(width))
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_LEAF} (code varchar(12), month date, "
        f"{quote('key')} varchar(40), {counts})"
    )
    sql, params = _leaf_queryset(family).query.sql_with_params()
    names = ", ".join(f"c{i}" for i in range(width))
    cursor.execute(
        f"INSERT INTO {_LEAF} (code, month, {quote('key')}, {names}) {sql}",  # noqa: S608
        params,
    )
    cursor.execute(f"SELECT COUNT(*) FROM {_LEAF}")  # noqa: S608
    return cursor.fetchone()[0]


def _roll_up(cursor, family: Family, target: str) -> None:
    """Insert the family's counters at every level from the leaf table into `target`."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(c) for c in ("division_code", "metric", "key", "period_start", "value")
    )
    keyed = [True, False] if family.key_field else [False]
    for length in [0, *sorted(LEVEL_LENGTHS.values())]:
        prefix = f"substr(code, 1, {length})"
        for i, count in enumerate(family.counts):
            for by_key in keyed:
                key = quote("key") if by_key else "''"
                group = f"{prefix}, month" + (f", {quote('key')}" if by_key else "")
                cursor.execute(
                    f"INSERT INTO {target} ({columns}) "  # noqa: S608
                    f"SELECT {prefix}, %s, {key}, month, SUM(c{i}) FROM {_LEAF} "
                    f"WHERE length(code) >= {length} GROUP BY {group} HAVING SUM(c{i}) <> 0",
                    [count.metric],
                )


def _tables_read(query) -> set[str]:
    """The tables a query reads: its joins and those of its subqueries (an EXISTS)."""
    tables = {
        join.table_name
        for alias, join in query.alias_map.items()
        if query.alias_refcount[alias]  # a join trimmed away reads nothing
    }
    pending = [*query.annotations.values(), query.where]
    while pending:
        node = pending.pop()
        inner = getattr(node, "query", None)
        if inner is not None and hasattr(inner, "alias_map"):
            tables |= _tables_read(inner)
        sources = getattr(node, "get_source_expressions", None)
        if callable(sources):
            pending.extend(e for e in sources() if e is not None)
    return tables


def _lock_sources(cursor, families: Iterable[Family]) -> None:
    """PostgreSQL: no fact may change while its counters are rebuilt (SQLite: the write lock
    of the IMMEDIATE transaction already excludes other writers)."""
    if connection.vendor != "postgresql":
        return
    tables = sorted({f.model._meta.db_table for f in families})
    cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE MODE")
    cursor.execute(f"LOCK TABLE {StatCounter._meta.db_table} IN EXCLUSIVE MODE")


def recount(metric: str | None = None) -> RecountReport:
    """Rebuild the counters of every family (or of the family holding `metric`) from the raw
    tables, in one transaction; used after bulk loads (demo, imports) and by the check."""
    started = time.perf_counter()
    families = _families(metric)
    table = connection.ops.quote_name(StatCounter._meta.db_table)
    leaf_rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_sources(cursor, families)
        # Planner statistics of what the set-based statements read, in this transaction: rows
        # just bulk-written (often in the caller's uncommitted transaction) have none, and the
        # check-ups' first-of-year EXISTS was then planned as a scan of every check-up per
        # check-up (yipanqi demo stalled for 80+ minutes at 1M persons, 49 s at 100k).
        refresh_statistics(
            sorted(set().union(*(_tables_read(_leaf_queryset(f).query) for f in families)))
        )
        for family in families:
            StatCounter.objects.filter(metric__in=family.metrics).delete()
            leaf_rows += _fill_leaf(cursor, family)
            _roll_up(cursor, family, table)
        cursor.execute(f"DROP TABLE IF EXISTS {_LEAF}")
    counters = StatCounter.objects.filter(
        metric__in=[m for f in families for m in f.metrics]
    ).count()
    return RecountReport(
        [f.name for f in families], leaf_rows, counters, time.perf_counter() - started
    )


@dataclass(frozen=True)
class Mismatch:
    division_code: str
    metric: str
    key: str
    period_start: str
    expected: int
    counted: int


@dataclass
class CheckReport:
    families: list[str]
    cells: int
    mismatches: list[Mismatch]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.mismatches


def check(metric: str | None = None, *, limit: int = 50) -> CheckReport:
    """Compare the maintained counters with a full recount from the raw tables (changes nothing)."""
    started = time.perf_counter()
    families = _families(metric)
    quote = connection.ops.quote_name
    table = quote(StatCounter._meta.db_table)
    mismatches: list[Mismatch] = []
    cells = 0
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_sources(cursor, families)
        cursor.execute(f"DROP TABLE IF EXISTS {_EXPECTED}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_EXPECTED} (division_code varchar(12), metric varchar(40), "
            f"{quote('key')} varchar(40), period_start date, value bigint)"
        )
        for family in families:
            _fill_leaf(cursor, family)
            _roll_up(cursor, family, _EXPECTED)
        cursor.execute(f"SELECT COUNT(*) FROM {_EXPECTED}")  # noqa: S608
        cells = cursor.fetchone()[0]
        metrics = [m for f in families for m in f.metrics]
        marks = ", ".join(["%s"] * len(metrics))
        k = quote("key")
        cursor.execute(
            f"SELECT e.division_code, e.metric, e.{k}, e.period_start, e.value, "  # noqa: S608
            f"COALESCE(c.value, 0) FROM {_EXPECTED} e LEFT JOIN {table} c "
            f"ON c.division_code = e.division_code AND c.metric = e.metric AND c.{k} = e.{k} "
            f"AND c.period_start = e.period_start WHERE COALESCE(c.value, 0) <> e.value "
            f"UNION ALL "
            f"SELECT c.division_code, c.metric, c.{k}, c.period_start, 0, c.value FROM {table} c "
            f"LEFT JOIN {_EXPECTED} e ON c.division_code = e.division_code "
            f"AND c.metric = e.metric AND c.{k} = e.{k} AND c.period_start = e.period_start "
            f"WHERE c.metric IN ({marks}) AND c.value <> 0 AND e.value IS NULL "
            f"LIMIT {int(limit)}",
            metrics,
        )
        for code, metric_name, key, month, expected, counted in cursor.fetchall():
            mismatches.append(
                Mismatch(code, metric_name, key, str(month), int(expected), int(counted))
            )
        cursor.execute(f"DROP TABLE IF EXISTS {_EXPECTED}")
        cursor.execute(f"DROP TABLE IF EXISTS {_LEAF}")
    return CheckReport([f.name for f in families], cells, mismatches, time.perf_counter() - started)
