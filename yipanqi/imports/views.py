"""Import and export pages: each view parses, authorizes, calls one service and renders."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yipanqi.accounts.models import Role
from yipanqi.core.casework import web_origin
from yipanqi.core.errors import refusals, refused_in_messages, refused_on
from yipanqi.core.exports import streamed_response
from yipanqi.core.paging import paginate
from yipanqi.feeds import services as feeds
from yipanqi.feeds.models import Lead
from yipanqi.imports import exports, services
from yipanqi.imports.feed_files import columns_for
from yipanqi.imports.forms import UploadForm
from yipanqi.imports.guard import upload_too_large
from yipanqi.imports.models import ImportJob, ImportStatus
from yipanqi.imports.reading import UnreadableFile


@never_cache
@login_required
def index(request):
    kinds = services.importable_kinds(request.user)
    choose_unit = services.chooses_unit(request.user)
    form = UploadForm(kinds=kinds, choose_unit=choose_unit) if kinds else None
    if request.method == "POST" and kinds:
        form = UploadForm(
            request.POST,
            request.FILES,
            kinds=kinds,
            too_large=upload_too_large(request),
            choose_unit=choose_unit,
        )
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with refused_on(form):
                job = services.upload(
                    acting_user=request.user,
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name,
                    chunks=upload.chunks(),
                    period=form.cleaned_data["period"],
                    unit=form.cleaned_data.get("unit", ""),
                    origin=web_origin(request),
                )
                return redirect("imports:job", job.pk)
    jobs = paginate(
        request, ImportJob.objects.visible_to(request.user).select_related("unit", "created_by")
    )
    feeder = request.user.role == Role.DEPARTMENT_FEEDER
    return render(
        request,
        "imports/index.html",
        {
            "form": form,
            "refusal": feeds.feed_refusal(request.user) if feeder else None,
            "feed_columns": columns_for(request.user.department) if feeder else [],
            "jobs": jobs,
            "leads_open": Lead.objects.visible_to(request.user).open().count(),
            "exports": exports.labels() if request.user.can_see_persons else [],
            **(_unit_picker(request.user, form) if form is not None and choose_unit else {}),
        },
    )


def _unit_picker(user, form) -> dict:
    """The division picker for an administrator's unit, starting at their own province."""
    from yipanqi.divisions.models import Division

    value = form["unit"].value() or ""
    chosen = Division.objects.filter(pk=value).first() if value else None
    return {
        "provinces": Division.objects.filter(level=1, code=user.jurisdiction_id[:2]),
        "unit_value": value,
        "unit_label": chosen.path_name if chosen else "",
    }


@never_cache
@login_required
@refusals
def job(request, job_id: int):
    job = services.access_job(request.user, job_id)
    context = {"job": job, "previous": services.previous_import(job)}
    if job.is_finished and job.rejected_rows:
        page = request.GET.get("rejected", "")
        context["rejected"] = services.rejected_page(job, int(page) if page.isdigit() else 1)
    if job.status in (ImportStatus.UPLOADED, *services.FINISHED_STATUSES):
        try:
            context["preview"] = services.preview(job)
        except UnreadableFile:
            context["preview"] = None  # imported, and the file is no longer kept (P5)
        context["may_start"] = job.created_by_id == request.user.pk
    if not job.is_finished and job.status != ImportStatus.UPLOADED:
        context["progress"] = services.read_progress(job)
        job.refresh_from_db()
    return render(request, "imports/job.html", context)


@require_POST
@login_required
@refusals
def start(request, job_id: int):
    job = services.access_job(request.user, job_id)
    mapping = {}
    for key, value in request.POST.items():
        if key.startswith("col-") and value:
            mapping[key[4:]] = value
    header_row = request.POST.get("header_row", "")
    with refused_in_messages(request):
        services.start(
            job,
            acting_user=request.user,
            mapping=mapping or None,
            header_row=int(header_row) - 1 if header_row.isdigit() and int(header_row) else None,
            valid_rows_only=request.POST.get("valid_rows_only") == "on",
            dry_run=request.POST.get("dry_run") == "on",
            origin=web_origin(request),
        )
    return redirect("imports:job", job.pk)


@never_cache
@login_required
@refusals
def progress(request, job_id: int):
    """The progress bar, polled by htmx every second until the job has finished."""
    job = services.access_job(request.user, job_id)
    state = services.read_progress(job)
    job.refresh_from_db()
    response = render(request, "imports/_progress.html", {"job": job, "progress": state})
    if job.is_finished:
        # The whole page shows the summary and the report link.
        response["HX-Refresh"] = "true"
    return response


@login_required
@refusals
def report(request, job_id: int):
    job = services.access_job(request.user, job_id)
    if not job.report_path or not Path(job.report_path).is_file():
        raise Http404
    return FileResponse(
        open(job.report_path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=Path(job.report_path).name,
    )


@login_required
def export(request, what: str, fmt: str):
    """GET for the lists filtered in the URL; POST for the person search (no ID in URLs)."""
    if not request.user.can_see_persons and what not in exports.OPEN_TO_ALL:
        raise Http404  # no list of persons exists for this role, not even a refused one
    params = request.POST if request.method == "POST" else request.GET
    with refused_in_messages(request):
        built = exports.export(request.user, what, fmt, params.dict(), origin=web_origin(request))
        response = streamed_response(built, fmt)
        response["Cache-Control"] = "no-store"
        return response
    return redirect("imports:index")
