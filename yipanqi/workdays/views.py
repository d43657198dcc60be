"""The system administrator's calendar page (R-WD-4): upload, paste or choose the package's
schedule of a year, see what it changes, confirm. Views parse, authorize, call one service."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from yipanqi.core.casework import web_origin
from yipanqi.workdays import changes
from yipanqi.workdays.forms import ConfirmForm, ScheduleForm, schedule_to_text
from yipanqi.workdays.models import CalendarYear
from yipanqi.workdays.schedule import ScheduleError

# How many moved deadlines the preview lists; the rest are counted.
SHOWN_MOVES = 200


def _page(request, form, preview=None, confirm=None, status=200):
    return render(
        request,
        "workdays/calendar.html",
        {
            "form": form,
            "preview": preview,
            "moved_shown": preview.moved[:SHOWN_MOVES] if preview else [],
            "confirm": confirm,
            "loaded": CalendarYear.objects.select_related("loaded_by").order_by("-year")[:20],
        },
        status=status,
    )


@never_cache
@login_required
def calendar(request):
    """GET: the form. POST: the preview of what the schedule changes (nothing is written)."""
    if not changes.may_load_schedule(request.user):
        raise Http404
    if request.method != "POST":
        return _page(request, ScheduleForm())
    form = ScheduleForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        schedule = (
            changes.schedule_from_package(data["year"])
            if data["way"] == "package"
            else data["schedule"]
        )
        if not schedule.source:
            schedule = dataclasses.replace(schedule, source=data.get("source_name") or "")
        preview = changes.preview_schedule(schedule)
    except ScheduleError as exc:
        form.add_error("year" if data["way"] == "package" else None, str(exc))
        return _page(request, form, status=400)
    confirm = ConfirmForm(initial={"schedule": schedule_to_text(schedule)})
    return _page(request, form, preview=preview, confirm=confirm)


@login_required
def confirm(request):
    """Store the previewed schedule and move the open deadlines it changes (audited)."""
    if not changes.may_load_schedule(request.user):
        raise Http404
    if request.method != "POST":
        return redirect("workdays:calendar")
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        page = ScheduleForm(initial={"text": request.POST.get("schedule", "")})
        page.add_error(None, _("The schedule could not be read again. Please preview it again."))
        return _page(request, page, status=400)
    done = changes.apply_schedule(
        form.cleaned_data["schedule"], acting_user=request.user, origin=web_origin(request)
    )
    if done.result.action == "unchanged":
        messages.info(request, _("%(year)s: the same schedule was already in use; nothing changed.")
                      % {"year": done.result.year})  # fmt: skip
    else:
        messages.success(
            request,
            _(
                "%(year)s: schedule loaded (%(holidays)s days off, %(workdays)s make-up working "
                "days). %(requests)s open requests and %(complaints)s complaints have a new due "
                "date."
            )
            % {
                "year": done.result.year,
                "holidays": done.result.holidays,
                "workdays": done.result.workdays,
                "requests": done.moved_requests,
                "complaints": done.moved_complaints,
            },
        )
    return redirect("workdays:calendar")
