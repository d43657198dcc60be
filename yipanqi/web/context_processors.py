def navigation(request):
    """Values every page's navigation needs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from yipanqi.stats.selectors import awaiting_count

    # The inbox badge on every page: the requests the user's units still owe, read from the
    # statistics counters (a few rows) rather than counted over the requests table, which grows
    # with the registry; the same number as exchange.selectors.inbox_count (test_live_rates).
    scope = getattr(user, "scope_code", None)
    count = 0 if scope is None else awaiting_count(scope)
    from yipanqi.exchange.coordination import COORDINATING_ROLES, coordination_count

    coordinates = scope is not None and user.role in COORDINATING_ROLES
    return {
        "nav_jurisdiction": user.jurisdiction,
        "nav_inbox_count": count,
        # R-EX-3: the administrators of a level coordinate what is escalated to it.
        "nav_coordinates": coordinates,
        "nav_coordination_count": coordination_count(user) if coordinates else 0,
    }
