"""Issue 7, item 7: the scope rule as a property (R-ACC-2, R-JUR-1).

For random persons (home and residence villages anywhere in the loaded divisions, registered
through the real service) and random users (any casework role, any jurisdiction at that
role's level, plus the separated roles), a person is visible to a user exactly when the user's
jurisdiction code is a prefix of the person's home or residence code; the national
administrator sees everyone and the three separated roles no one.
"""

import contextlib
import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import id_for, make_user
from yipanqi.accounts.models import CASEWORK_ROLES, SEPARATED_ADMIN_ROLES, Role
from yipanqi.certificates.selectors import awaiting_verification
from yipanqi.core.errors import Rejected
from yipanqi.divisions.codes import LEVEL_LENGTHS
from yipanqi.divisions.models import Division
from yipanqi.people.models import Person, Registration
from yipanqi.people.services import RegistrationInput, register

_serial = itertools.count(1)


@pytest.fixture
def villages(db):
    return sorted(Division.objects.filter(level=5).values_list("code", flat=True))


def _visible_by_rule(user, person) -> bool:
    if user.role in SEPARATED_ADMIN_ROLES:
        return False
    if user.role == Role.NATIONAL_ADMIN:
        return True
    codes = [person.home_id, person.residence_id or ""]
    return any(code.startswith(user.jurisdiction_id) for code in codes)


def _register_random_person(data, villages):
    """Register a person between two random villages; return the case serial and residence."""
    home = data.draw(st.sampled_from(villages), label="home")
    residence = data.draw(st.sampled_from(villages), label="residence")
    n = next(_serial)
    clerk = make_user(f"clerk{n}", "village_worker", residence)
    # Not a migrant (same county, ...) or already registered: refused, other persons remain.
    with contextlib.suppress(Rejected):
        register(
            RegistrationInput(
                id_number=id_for(area=home[:6], seq=n % 999 + 1),
                name=f"测试{n}",
                home_code=home,
                residence_code=residence,
                arrival_date=dt.date(2026, 3, 2),
                reason="work",
                marital_status="first_marriage",
            ),
            kind="inflow",
            acting_user=clerk,
        )
    return n, residence


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_r_acc_2_visible_exactly_when_home_or_residence_is_in_the_subtree(data, villages):
    """R-ACC-2: Person.objects.visible_to(user) equals the prefix rule, for random cases."""
    n, residence = _register_random_person(data, villages)
    role = data.draw(st.sampled_from([*CASEWORK_ROLES, *SEPARATED_ADMIN_ROLES]), label="role")
    level = CASEWORK_ROLES.get(role)
    jurisdiction = None
    if level:  # a jurisdiction at the role's level: a prefix of some village, anywhere
        village = data.draw(st.sampled_from(villages), label="place")
        jurisdiction = village[: LEVEL_LENGTHS[level]]
        if not Division.objects.filter(pk=jurisdiction).exists():
            return
    user = make_user(f"user{n}", role, jurisdiction)
    visible = set(Person.objects.visible_to(user).values_list("pk", flat=True))
    for person in Person.objects.all():
        assert (person.pk in visible) == _visible_by_rule(user, person), (
            user.role,
            user.jurisdiction_id,
            person.home_id,
            person.residence_id,
        )


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_r_acc_2_a_user_without_scope_sees_no_person(data, villages):
    """R-ACC-2: the empty scope is never the nation: a separated administrator, a department
    feeder and an inactive caseworker (the national administrator too) see no person."""
    n, residence = _register_random_person(data, villages)
    case = data.draw(st.sampled_from(["separated", "feeder", "inactive"]), label="case")
    if case == "separated":
        role = data.draw(st.sampled_from(sorted(SEPARATED_ADMIN_ROLES)), label="role")
        user = make_user(f"user{n}", role, None)
    elif case == "feeder":
        user = make_user(f"user{n}", Role.DEPARTMENT_FEEDER, residence, department="health")
    else:  # any casework role, its account switched off
        role = data.draw(st.sampled_from(sorted(CASEWORK_ROLES)), label="role")
        level = CASEWORK_ROLES[role]
        jurisdiction = residence[: LEVEL_LENGTHS[level]] if level else None
        user = make_user(f"user{n}", role, jurisdiction, is_active=False)
    assert user.scope_code is None, (case, user.role, user.jurisdiction_id)
    assert not Person.objects.visible_to(user).exists(), (case, user.role)
    assert not Registration.objects.visible_to(user).exists(), (case, user.role)
    assert not awaiting_verification(user).exists(), (case, user.role)
