"""Break-the-glass pages (issue 12.2): a township-and-up worker opens one person outside their
jurisdiction for a stated case; every grant is then an item for the security administrator and
for the auditor, each of whom marks it reviewed once (audited).

Neither role sees person data (三员分立): a grant shows who opened it, from which unit, when,
the case and the note, and the person's two jurisdictions, never the person's name or number.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yipanqi.accounts.models import EmergencyAccess, EmergencyCase
from yipanqi.audit.services import Origin
from yipanqi.core.casework import require_casework, web_origin
from yipanqi.core.errors import Rejected, refused_in_messages
from yipanqi.core.paging import paginate
from yipanqi.emergency import services as emergency
from yipanqi.people.models import Person


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
        "emergency/reviews.html",
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
    return redirect("emergency:reviews")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def emergency_access(request):
    """Break-the-glass: choose the case and say why, to open one person outside your
    jurisdiction (township and up, issue 12.2)."""
    require_casework(request)
    user = request.user
    error = ""
    if request.method == "POST":
        try:
            outcome = emergency.open_in_emergency(
                request.POST.get("id_number", ""),
                case=request.POST.get("case", ""),
                reason=request.POST.get("reason", ""),
                acting_user=user,
                origin=web_origin(request),
            )
        except Rejected as exc:
            error = str(exc)
        else:
            if isinstance(outcome, EmergencyAccess):
                messages.warning(
                    request,
                    _(
                        "Emergency access until %(time)s. This access and your reason are shown "
                        "to the person's home and residence jurisdictions."
                    )
                    % {"time": outcome.expires_at.astimezone().strftime("%H:%M")},
                )
                return redirect("people:person", outcome.person_id)
            return redirect("people:person", outcome.pk)
    accesses = list(emergency.list_emergency_accesses(user)[:100])
    in_scope = set(
        Person.objects.visible_to(user)
        .filter(pk__in=[a.person_id for a in accesses])
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    for access in accesses:
        access.active = access.is_active(now)
        # Outside one's scope the name shows only while one's own grant is open.
        access.show_person = access.person_id in in_scope or (
            access.user_id == user.pk and access.active
        )
    return render(
        request,
        "emergency/open.html",
        {
            "error": error,
            "hours": settings.BREAK_GLASS_HOURS,
            "accesses": accesses,
            "reason": request.POST.get("reason", "") if error else "",
            "case": request.POST.get("case", "") if error else "",
            "id_number": request.POST.get("id_number", "")[:40] if error else "",
            "cases": EmergencyCase.choices,
            "may_break_glass": emergency.may_break_glass(user),
        },
        status=400 if error else 200,
    )
