"""HTML partials for picking a jurisdiction with cascading selects (htmx)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yipanqi.divisions.codes import InvalidCode
from yipanqi.divisions.models import Division
from yipanqi.divisions.queries import get_division, list_children


@require_GET
@login_required
def children(request, code: str | None = None):
    """<option> elements for the divisions below code (provinces without one), R-JUR-2 aware."""
    if code is not None:
        try:
            code = get_division(code).code
        except (InvalidCode, Division.DoesNotExist):
            raise Http404 from None
    return render(
        request,
        "divisions/options.html",
        {"children": list_children(code), "selected": request.GET.get("selected", "")},
    )
