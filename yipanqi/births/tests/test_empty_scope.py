"""R-ACC-2: a user with no scope owes no step of a birth registration, never every step."""

import datetime as dt

from yipanqi.births import selectors


def test_r_acc_2_no_scope_owes_nothing_where_the_applying_village_owes_its_step(
    apply, village_worker, auditor
):
    """R-ACC-2: the next step of a fresh application is the village's: its worker owes it, the
    auditor (no casework scope) owes nothing."""
    registration = apply()
    today = dt.date(2026, 3, 4)
    [(_, step, ours)] = selectors.waiting_on(village_worker, [registration], today)
    assert step is not None and ours
    [(_, step, ours)] = selectors.waiting_on(auditor, [registration], today)
    assert step is not None and not ours
