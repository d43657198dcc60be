def navigation(request):
    """Values every page's navigation needs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from yipanqi.exchange.selectors import inbox_count

    return {"nav_jurisdiction": user.jurisdiction, "nav_inbox_count": inbox_count(user)}
