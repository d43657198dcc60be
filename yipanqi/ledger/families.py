"""What a counted fact is, and the registry of every family the domain apps count.

A *family* is a kind of row (inflow registrations, requests by receiver ...) counted at one
division field, in the month of one date field, optionally split by a key field. Its *counts*
are the metrics: each row adds 1 to every count whose predicate it meets. Each predicate has two
forms, kept side by side on purpose: the SQL one (recount, check, drill-down) and the same test
on one row in memory (the live delta in the changing transaction); `counters.check()` (tests,
bench, the consistency command) proves they agree on the data.

The ledger defines no family itself: each domain app defines its own in `counted.py` and
registers them from its `AppConfig.ready()` with `register(...)`.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from yipanqi.core.clock import local_date


@dataclass(frozen=True)
class Count:
    metric: str
    q: Q
    test: Callable[[Any], bool]


@dataclass(frozen=True)
class Family:
    name: str
    model_label: str  # app_label.Model
    base: Q
    base_test: Callable[[Any], bool]
    division: str  # attname of the division the fact is counted at
    month_field: str  # the fact's month is this field's (local) month
    counts: tuple[Count, ...]
    key_field: str | None = None
    # SQL-only helpers the predicates refer to (e.g. the local day of a moment).
    annotations: Callable[[], dict] = field(default=dict)
    # "person" (drill-down lists persons) or "request".
    subject: str = "person"
    # The fields the in-memory predicates read, for set-based transitions (the sweep).
    reads: frozenset[str] = frozenset()
    # The month field holds text 'YYYY-MM' (a reporting month), not a date.
    month_is_text: bool = False
    # From a row to the person it is about (drill-down scope, R-ACC-2).
    person_path: str = "person"
    # From a row to the row it is a part of in another family (a verification is part of an
    # inflow registration), for listing the gap between a numerator and its denominator.
    part_of: str = ""
    # An in-memory predicate looks up another table (a bulk load then counts the family with
    # its SQL predicate, one query, rather than one lookup per row: imports.pipeline).
    reads_other_tables: bool = False
    # A month computed from several fields: the SQL expression (selected as `month_field`, so
    # `values(month_field)` works) beside its in-memory twin on one row.
    month_expression: Callable[[], Any] | None = None
    month_in_memory: Callable[[Any], dt.date | None] | None = None
    # Rows sharing this foreign key are counted together (the first check-up of a stay's year):
    # `group_test(parent, rows)` is the in-memory twin over one group, returning the rows that
    # count, so that a new row or a changed parent can change what its siblings count.
    group_by: str = ""
    group_test: Callable[[Any, Any], list] | None = None

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    @property
    def metrics(self) -> list[str]:
        return [count.metric for count in self.counts]

    def division_of(self, row) -> str | None:
        return walk(row, self.division)

    def month_of(self, row) -> dt.date | None:
        if self.month_in_memory is not None and not hasattr(row, self.month_field):
            # A model row: the twin computes it (values() rows carry the SQL annotation).
            return self.month_in_memory(row)
        value = walk(row, self.month_field)
        if value is None:
            return None
        if self.month_is_text:
            return dt.date(int(value[:4]), int(value[5:7]), 1)
        return local_date(value).replace(day=1)

    def key_of(self, row) -> str:
        return str(getattr(row, self.key_field) or "") if self.key_field else ""

    def queryset(self):
        rows = self.model._default_manager.filter(self.base).alias(**self.annotations())
        if self.month_expression is not None:
            rows = rows.annotate(**{self.month_field: self.month_expression()})
        return rows


def walk(row, path: str):
    """row.a.b for the ORM path 'a__b' (the in-memory twin of F('a__b'))."""
    value = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


# Every registered family, in the order of registration (INSTALLED_APPS order). Read it; add to
# it only through register().
FAMILIES: list[Family] = []


def register(families: Iterable[Family]) -> None:
    """Count these families (an app's facts, from its AppConfig.ready()); idempotent by name."""
    for family in families:
        if all(f.name != family.name for f in FAMILIES):
            FAMILIES.append(family)


def families_of(model_label: str) -> list[Family]:
    """The registered families counting rows of this model ('app_label.Model')."""
    return [f for f in FAMILIES if f.model_label == model_label]


def family_of_metric(metric: str) -> Family:
    for family in FAMILIES:
        if metric in family.metrics:
            return family
    raise KeyError(metric)


def count_of(metric: str) -> Count:
    family = family_of_metric(metric)
    return next(c for c in family.counts if c.metric == metric)
