def navigation(request):
    """Values every page's navigation needs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_jurisdiction": user.jurisdiction}
