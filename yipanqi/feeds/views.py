"""Leads and department feed reports: each view parses, authorizes, calls one service and renders."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yipanqi.accounts.models import Role
from yipanqi.core.casework import require_casework, web_origin
from yipanqi.core.errors import refusals, refused_in_messages, refused_on
from yipanqi.core.paging import by_urgency, paginate
from yipanqi.divisions.scope import Scope
from yipanqi.feeds import leads
from yipanqi.feeds import services as feeds
from yipanqi.feeds.forms import ZeroReportForm
from yipanqi.feeds.models import FeedReport, Lead
from yipanqi.people.counted import SERVED_WITHIN_DAYS as LEAD_REGISTRATION_DAYS


@never_cache
@login_required
def lead_list(request):
    require_casework(request)
    rows = Lead.objects.visible_to(request.user).open().select_related("unit", "source__report")
    # R-REGN-5: a person seen here is registered within 30 days; the most urgent lead first.
    threshold = timezone.localdate() - dt.timedelta(days=LEAD_REGISTRATION_DAYS)
    page = paginate(request, by_urgency(rows, "seen_on", threshold))
    return render(request, "feeds/leads.html", {"leads": page, "count": page.paginator.count})


@require_POST
@login_required
@refusals
def lead_close(request, lead_id: int):
    with refused_in_messages(request):
        leads.close_lead(
            lead_id,
            outcome=request.POST.get("outcome", ""),
            acting_user=request.user,
            origin=web_origin(request),
        )
    return redirect("feeds:leads")


@never_cache
@login_required
def feed_list(request):
    reports = FeedReport.objects.visible_to(request.user).select_related("unit")
    form = None
    if feeds.may_feed(request.user):
        form = ZeroReportForm(request.POST or None, department=request.user.department)
        if request.method == "POST" and form.is_valid():
            with refused_on(form):
                feeds.submit_zero_report(
                    acting_user=request.user, origin=web_origin(request), **form.cleaned_data
                )
                messages.success(request, _("The zero report was recorded."))
                return redirect("feeds:reports")
    if not form and Scope.of(request.user, feeds=True).none:
        raise Http404
    refusal = (
        feeds.feed_refusal(request.user) if request.user.role == Role.DEPARTMENT_FEEDER else None
    )
    return render(
        request,
        "feeds/reports.html",
        {"reports": paginate(request, reports), "form": form, "refusal": refusal},
    )
