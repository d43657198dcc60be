"""Emergency accesses to review (issue 12.2): every break-the-glass grant is an item for the
security administrator and for the auditor, each of whom marks it reviewed once (audited).

Neither role sees person data (三员分立): a grant shows who opened it, from which unit, when,
the case and the note, and the person's two jurisdictions, never the person's name or number.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from yipanqi.accounts import emergency
from yipanqi.audit.services import Origin
from yipanqi.core.errors import refused_in_messages
from yipanqi.core.paging import paginate


def _require_reviewer(request) -> None:
    if getattr(request.user, "role", None) not in emergency.REVIEWER_ROLES:
        raise Http404


@never_cache
@login_required
@require_GET
def emergency_reviews(request):
    """The grants, those this role has not reviewed first (oldest first), 25 a page."""
    _require_reviewer(request)
    grants = emergency.list_for_review(request.user)
    page = paginate(request, grants)
    return render(
        request,
        "audit/emergency_reviews.html",
        {"page": page, "pending": emergency.count_to_review(request.user)},
    )


@never_cache
@login_required
@require_POST
def emergency_review(request, pk: int):
    """Mark one grant reviewed by this role, with an optional note."""
    _require_reviewer(request)
    with refused_in_messages(request):
        emergency.review_access(
            pk,
            note=request.POST.get("note", ""),
            acting_user=request.user,
            origin=Origin.from_request(request, channel="web"),
        )
        messages.success(request, _("Marked as reviewed."))
    return redirect("audit:emergency_reviews")
