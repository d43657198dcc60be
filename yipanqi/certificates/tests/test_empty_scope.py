"""R-ACC-2: a user with no scope sees no certificate figures and no lists, never the nation's."""

import datetime as dt

from conftest import at
from yipanqi.certificates import selectors, services
from yipanqi.certificates.tests.conftest import ARRIVAL


def test_r_acc_2_no_scope_counts_zero_where_the_residence_counts_its_own(
    woman, second_woman, issue, village_worker, township_operator, auditor
):
    """R-ACC-2: the auditor (no casework scope) gets zeros; the residence village and the home
    township their own figures."""
    first, second = issue(woman), issue(second_woman)
    services.verify_certificate(
        first.pk,
        verified_on=ARRIVAL + dt.timedelta(days=31),
        acting_user=village_worker,
        now=at(ARRIVAL + dt.timedelta(days=31)),
    )
    today = first.valid_until
    village = selectors.scope_counts(village_worker, year=2026, today=today)
    assert (village.verifications, village.verifications_late) == (1, 1)
    assert village.awaiting_verification == 1
    assert selectors.scope_counts(township_operator, year=2026, today=today).renewals_due == 2

    empty = selectors.scope_counts(auditor, year=2026, today=today)
    assert (empty.valid, empty.renewals_due, empty.revoked) == (0, 0, 0)
    assert (empty.verifications, empty.verifications_late, empty.awaiting_verification) == (0, 0, 0)
    assert list(selectors.awaiting_verification(auditor, today=today)) == []
    assert list(selectors.late_verifications(auditor, year=2026)) == []
    assert list(selectors.renewals_due(auditor, today=today)) == []
    assert second.valid_until <= today
