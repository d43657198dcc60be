"""/api/v1/imports/: upload and run imports, follow their progress, fetch the rejection report,
leads and department feed reports, and exports. Rules live in yipanqi.imports.

404 outside the caller's scope, 422 for input that cannot be used (with the reason), never 500.
"""

import datetime as dt
from pathlib import Path

from django.http import FileResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from yipanqi.api.v1.common import api_origin
from yipanqi.core.exports import streamed_response
from yipanqi.feeds import leads
from yipanqi.feeds import services as feeds
from yipanqi.feeds.models import FeedReport, Lead
from yipanqi.imports import exports, services
from yipanqi.imports.models import ImportJob, ImportKind

router = Router(tags=["imports"])


class ProgressOut(Schema):
    percent: int = Field(description="0 to 100; below 100 until the job has finished")
    checked: int = Field(description="rows read and checked so far")
    written: int = Field(description="rows written so far")
    total: int = Field(description="about how many rows the file has")
    phase: str = Field(description="reading, writing, finishing, finished, or empty")


class RejectedRowOut(Schema):
    row: int = Field(description="line number in the file")
    field: str | None = Field(
        description="the field the problem is about; empty for the whole row, null if unknown"
    )
    column: str = Field(description="that column's header in the file")
    reason: str


class RejectedPageOut(Schema):
    rows: list[RejectedRowOut]
    page: int
    pages: int
    kept: int = Field(description="problems kept for paging (the report holds all of them)")


class JobOut(Schema):
    id: int
    kind: str
    status: str
    unit: str = Field(..., alias="unit_id")
    file_name: str
    file_sha256: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    valid_rows_only: bool
    dry_run: bool
    period: str
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    notified: int
    error: str
    has_report: bool
    progress_percent: int
    progress: ProgressOut
    rejected_rows: list[RejectedRowOut] = Field(
        description="the first 50 problems; GET /imports/{id}/rejected-rows pages them all"
    )
    previous_import: int | None


class StartIn(Schema):
    mapping: dict[str, str] | None = Field(
        None, description="column index (from 0) -> field name; default: recognised headers"
    )
    header_row: int | None = Field(None, ge=1, le=1000, description="line number of the header")
    valid_rows_only: bool = False
    dry_run: bool = False


class PreviewOut(Schema):
    headers: list[str]
    mapping: dict[str, str]
    fields: list[dict]
    title_rows: list[list[str]]
    sample_rows: int


class LeadOut(Schema):
    id: int
    kind: str
    status: str
    unit: str = Field(..., alias="unit_id")
    name: str
    id_number_masked: str
    seen_on: dt.date | None


class CloseLeadIn(Schema):
    outcome: str = Field(..., pattern="^(registered|dismissed)$")


class FeedReportOut(Schema):
    id: int
    feed_type: str
    department: str
    unit: str = Field(..., alias="unit_id")
    period: str
    due_on: dt.date
    received_at: dt.datetime
    on_time: bool
    zero_report: bool
    records: int
    matched: int
    leads: int


class ZeroReportIn(Schema):
    feed_type: str
    period: str = Field(..., max_length=10, examples=["2026-04"])


class ExportIn(Schema):
    id_number: str = Field("", max_length=40)
    name: str = Field("", max_length=50)
    within: str = Field("", max_length=12)
    kind: str = Field("", max_length=10)
    box: str = Field("", max_length=10)
    type: str = Field("", max_length=32)
    status: str = Field("", max_length=12)
    since: str = Field("", max_length=10)
    until: str = Field("", max_length=10)


def _out(job: ImportJob) -> dict:
    previous = services.previous_import(job)
    progress = services.read_progress(job)
    job.refresh_from_db()
    return {
        **{f.attname: getattr(job, f.attname) for f in ImportJob._meta.concrete_fields},
        "has_report": bool(job.report_path),
        "progress_percent": progress["percent"],
        "progress": progress,
        "rejected_rows": services.rejected_page(job)["rows"],
        "previous_import": previous.pk if previous else None,
    }


@router.post("/", response={201: JobOut}, summary="Upload a file and import it (issue 5)")
def upload(
    request,
    file: File[UploadedFile],
    kind: Form[ImportKind],
    period: Form[str] = "",
    valid_rows_only: Form[bool] = False,
    dry_run: Form[bool] = False,
    start: Form[bool] = True,
    unit: Form[str] = "",
):
    """XLSX or CSV (UTF-8, UTF-8 with BOM, GBK/GB18030). With start (default) the import runs
    in the background with the recognised columns; poll GET /imports/{id} for its progress.
    All or nothing unless valid_rows_only; the same file again changes nothing. County, city
    and province administrators give `unit`, a township or village of their area."""
    job = services.upload(
        acting_user=request.auth,
        kind=kind,
        file_name=file.name or "upload",
        chunks=file.chunks(),
        period=period,
        unit=unit,
        origin=api_origin(request),
    )
    if start:
        job = services.start(
            job,
            acting_user=request.auth,
            valid_rows_only=valid_rows_only,
            dry_run=dry_run,
            origin=api_origin(request),
        )
    return Status(201, _out(job))


@router.get("/", response=list[JobOut], summary="Recent imports in your jurisdiction")
def list_jobs(request):
    return [_out(job) for job in ImportJob.objects.visible_to(request.auth)[:50]]


@router.get("/leads", response=list[LeadOut], summary="Open leads from department feeds")
def list_leads(request):
    """R-FEED-2: people a department saw in your area who are not in the registry."""
    return list(Lead.objects.visible_to(request.auth).open()[:500])


@router.post("/leads/{int:lead_id}/close", response=LeadOut, summary="Close a lead")
def close_lead(request, lead_id: int, payload: CloseLeadIn):
    return leads.close_lead(
        lead_id, outcome=payload.outcome, acting_user=request.auth, origin=api_origin(request)
    )


@router.get("/feeds", response=list[FeedReportOut], summary="Department feed reports")
def list_feeds(request):
    """R-FEED-1: each month's report with its due date, arrival and timeliness."""
    return list(FeedReport.objects.visible_to(request.auth)[:500])


@router.post("/feeds/zero", response={201: FeedReportOut}, summary="Send a zero report")
def zero_report(request, payload: ZeroReportIn):
    """零通报: nothing new this month (department feeders)."""
    report = feeds.submit_zero_report(
        feed_type=payload.feed_type,
        period=payload.period,
        acting_user=request.auth,
        origin=api_origin(request),
    )
    return Status(201, report)


@router.post("/export/{what}/{fmt}", summary="Export a list you can see (CSV or XLSX)")
def export(request, what: str, fmt: str, payload: ExportIn):
    """Streamed; ID numbers masked unless you may export them; every export is audited."""
    if not request.auth.can_see_persons and what not in exports.OPEN_TO_ALL:
        raise HttpError(404, "No such list for your role.")
    built = exports.export(request.auth, what, fmt, payload.dict(), origin=api_origin(request))
    return streamed_response(built, fmt)


@router.get("/{int:job_id}", response=JobOut, summary="One import, with its progress")
def get_job(request, job_id: int):
    return _out(services.access_job(request.auth, job_id))


@router.get(
    "/{int:job_id}/rejected-rows",
    response=RejectedPageOut,
    summary="The rows not imported, with the column and the reason (50 a page)",
)
def rejected_rows(request, job_id: int, page: int = 1):
    shown = services.rejected_page(services.access_job(request.auth, job_id), page)
    return {key: shown[key] for key in ("rows", "page", "pages", "kept")}


@router.get("/{int:job_id}/preview", response=PreviewOut, summary="Headers and column mapping")
def preview(request, job_id: int):
    job = services.access_job(request.auth, job_id)
    if job.created_by_id != request.auth.pk:
        raise HttpError(404, "No such import of yours.")
    shown = services.preview(job)
    return {
        "headers": shown["headers"],
        "mapping": shown["mapping"],
        "fields": [
            {"name": f.name, "label": str(f.label), "required": f.required} for f in shown["fields"]
        ],
        "title_rows": shown["title_rows"],
        "sample_rows": len(shown["rows"]),
    }


@router.post("/{int:job_id}/start", response=JobOut, summary="Start (or re-run) an import")
def start(request, job_id: int, payload: StartIn):
    job = services.access_job(request.auth, job_id)
    job = services.start(
        job,
        acting_user=request.auth,
        mapping=payload.mapping,
        header_row=payload.header_row - 1 if payload.header_row else None,
        valid_rows_only=payload.valid_rows_only,
        dry_run=payload.dry_run,
        origin=api_origin(request),
    )
    return _out(job)


@router.get("/{int:job_id}/report", summary="The rejection report (XLSX)")
def report(request, job_id: int):
    job = services.access_job(request.auth, job_id)
    if not job.report_path or not Path(job.report_path).is_file():
        raise HttpError(404, "This import has no rejection report.")
    return FileResponse(
        open(job.report_path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=Path(job.report_path).name,
    )
