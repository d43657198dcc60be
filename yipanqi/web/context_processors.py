def navigation(request):
    """Values every page's navigation needs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from yipanqi.divisions.scope import Scope
    from yipanqi.stats.selectors import awaiting_count

    # The inbox badge on every page: the requests the user's units still owe, read from the
    # statistics counters (a few rows) rather than counted over the requests table, which grows
    # with the registry; the same number as exchange.selectors.inbox_count (test_live_rates).
    scope = Scope.of(user)
    count = 0 if scope.none else awaiting_count(scope.code)
    from yipanqi.exchange.coordination import COORDINATING_ROLES, coordination_count

    coordinates = not scope.none and user.role in COORDINATING_ROLES
    return {
        "nav_jurisdiction": user.jurisdiction,
        "nav_inbox_count": count,
        # R-EX-3: the administrators of a level coordinate what is escalated to it.
        "nav_coordinates": coordinates,
        "nav_coordination_count": coordination_count(user) if coordinates else 0,
    }
