"""The one scope object (R-ACC-2, R-JUR-1): nation, subtree and the empty scope."""

from types import SimpleNamespace

import pytest

from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope


def test_the_nation_covers_every_code():
    nation = Scope("")
    assert nation.nation and not nation.none
    assert nation.covers("440305") and nation.covers("11")


def test_a_subtree_covers_its_own_codes_only():
    county = Scope("440305")
    assert county.covers("440305003001") and county.covers("440305")
    assert not county.covers("440306") and not county.covers("44")
    assert not county.covers(None)


def test_the_empty_scope_covers_nothing_and_is_never_the_nation():
    empty = Scope.of(SimpleNamespace(scope_code=None))
    assert empty.none and not empty.nation
    assert not empty.covers("440305") and not empty.covers("")
    with pytest.raises(PermissionError):
        empty.code_or_nation()


def test_scope_of_reads_the_feed_scope_when_asked():
    feeder = SimpleNamespace(scope_code=None, feed_scope_code="440305")
    assert Scope.of(feeder).none
    assert Scope.of(feeder, feeds=True).covers("440305003")
    assert Scope.of(None).none


@pytest.mark.django_db
def test_filter_cuts_a_queryset_to_the_scope(divisions):
    rows = Division.objects.filter(code__startswith="4403")
    assert Scope("").filter(rows, "code").count() == rows.count()
    assert Scope(None).filter(rows, "code").count() == 0
    inside = Scope("440305").filter(rows, "code")
    assert inside.count() > 0
    assert all(code.startswith("440305") for code in inside.values_list("code", flat=True))
    assert rows.filter(Scope(None).q("code")).count() == 0
