"""R-ACC-2: a user with no scope exports no statistics counters, never the nation's."""

from yipanqi.stats import selectors


def test_r_acc_2_no_scope_exports_no_counter_where_the_residence_exports_its_own(
    register_inflow, village_worker, auditor
):
    """R-ACC-2: the registration counts for the residence village; the auditor (no casework
    scope) gets the header and no row."""
    register_inflow()
    own = list(selectors.export_statistics(village_worker, {}, full=False).rows)
    assert own and all(row[0].startswith(village_worker.jurisdiction_id) for row in own)
    assert list(selectors.export_statistics(auditor, {}, full=False).rows) == []
