"""The one scope object (R-ACC-2, R-JUR-1): nation, subtree and the empty scope."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import NOTHING, Scope


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


codes = st.text(alphabet="0123456789", min_size=0, max_size=12)


@given(prefix=codes, code=codes)
def test_r_jur_1_a_scope_covers_exactly_the_codes_it_prefixes(prefix, code):
    """R-JUR-1: covers is the prefix rule; meets is it in either direction."""
    scope = Scope.within(prefix)
    assert scope.covers(code) == code.startswith(prefix)
    assert scope.covers_any(code, None) == code.startswith(prefix)
    assert scope.meets(code) == Scope.within(code).meets(prefix)
    assert scope.meets(code) == (code.startswith(prefix) or prefix.startswith(code))


@given(code=st.one_of(st.none(), codes), other=st.one_of(st.none(), codes))
def test_r_acc_2_the_empty_scope_covers_and_meets_nothing(code, other):
    """R-ACC-2: a user without a scope reaches no code at all, the nation's "" included."""
    empty = Scope.of(SimpleNamespace(scope_code=None, feed_scope_code=None))
    assert not empty.covers(code) and not empty.meets(code)
    assert not empty.covers_any(code, other)
    assert empty.none and not empty.nation
    assert empty.q("code") == NOTHING
