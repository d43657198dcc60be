"""Import jobs: upload, preview, start (in the background after commit), run, progress.

The web UI, the API and the `yipanqi import` command all go through these functions; the rules
are in pipeline.py (registrations) and feeds.py (department feeds).
"""

import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yipanqi.accounts.models import CASEWORK_ROLES, Role, User
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.imports import guard
from yipanqi.imports.columns import fields_for
from yipanqi.imports.models import (
    FINISHED_STATUSES,
    REJECTED_ROWS_KEPT,
    ImportJob,
    ImportKind,
    ImportStatus,
)
from yipanqi.imports.pipeline import (
    ImportRequest,
    Outcome,
    detect_layout,
    import_registrations,
)
from yipanqi.imports.reading import UnreadableFile, open_table, text_of

log = logging.getLogger(__name__)
PREVIEW_ROWS = 8
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


class JobCancelled(Exception):
    """The job was given up for dead while it ran (no heartbeat); it must not commit now."""


def storage_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


# Administrators who may import registrations for a township or village of their area
# (issue 12.16), e.g. a register a township sent them; they choose the unit.
UNIT_CHOOSING_ROLES = {Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.PROVINCE_ADMIN}


def may_import(user: User, kind: str) -> bool:
    """Registrations: village and township staff (R-REGN-1) for their own unit, county, city
    and province administrators for a unit of their area; feeds: department feeders."""
    if user is None or not user.is_active:
        return False
    if kind in ImportKind.registrations():
        return user.can_register or chooses_unit(user)
    return _feed_refusal(user, kind) is None


def _feed_refusal(user: User, kind: str) -> str | None:
    """R-FEED-1: a feeder sends only their own department's feeds; why not, in words."""
    from yipanqi.feeds.services import feed_refusal
    from yipanqi.imports.models import FEED_OF_KIND

    return feed_refusal(user, FEED_OF_KIND.get(kind))


def chooses_unit(user: User) -> bool:
    """Whether the user names the unit an import is for (an administrator of an area)."""
    return user.role in UNIT_CHOOSING_ROLES and user.jurisdiction_id is not None


def importing_unit(user: User, kind: str, unit: str = "") -> Division:
    """The unit the file is imported for: the user's own, or for an administrator the
    township or village chosen inside their area (R-ACC-2); Rejected (on the unit) otherwise."""
    unit = (unit or "").strip()
    if kind not in ImportKind.registrations() or not chooses_unit(user):
        if unit and unit != user.jurisdiction_id:
            raise Rejected.because(_("You can import only for your own unit."), "unit")
        return user.jurisdiction
    if not unit:
        raise Rejected.because(
            _("Please choose the township or village whose registrations the file holds."), "unit"
        )
    division = Division.objects.filter(pk=unit).first()
    if division is None:
        raise Rejected.because(
            _("There is no division with code %(code)s.") % {"code": unit[:20]}, "unit"
        )
    if not Scope.of(user).covers(unit):
        raise Rejected.because(
            _("This place is outside your area. Please choose one in it."), "unit"
        )
    if division.level < 4:
        # R-REGN-1: registrations belong to a village or its township, not a whole county.
        raise Rejected.because(
            _("Please choose a township or a village: registrations are kept by them."), "unit"
        )
    return division


def importable_kinds(user: User) -> list[tuple[str, str]]:
    return [(value, label) for value, label in ImportKind.choices if may_import(user, value)]


def access_job(user: User, job_id: int) -> ImportJob:
    """The job if the user may see it (their unit's subtree, or their own), else NotFound."""
    job = ImportJob.objects.visible_to(user).select_related("unit").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such import in your jurisdiction."))
    return job


def _hash_and_store(chunks, target: Path) -> tuple[str, int]:
    """Write the upload to `target`; past the size limit stop and refuse (issue 16.1)."""
    digest = hashlib.sha256()
    size = 0
    limits = guard.Limits.from_settings()
    with target.open("wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            guard.check_size(size, limits)
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest(), size


def upload(
    *,
    acting_user: User,
    kind: str,
    file_name: str,
    chunks,
    period: str = "",
    unit: str = "",
    origin: Origin | None = None,
) -> ImportJob:
    """Store an uploaded file, recognise its layout and create the job (nothing imported yet).

    `unit`: the township or village an administrator imports for (`importing_unit`).
    Raises Rejected (on the file) with a plain message for a file that cannot be imported at all.
    """
    if kind not in ImportKind.values:
        raise Rejected.because(_("Please choose what the file contains."), "file")
    if not may_import(acting_user, kind):
        if kind in ImportKind.feeds() and acting_user.role == Role.DEPARTMENT_FEEDER:
            raise Rejected.because(_feed_refusal(acting_user, kind), "file")
        raise Rejected.because(_("You cannot import this kind of file."), "file")
    division = importing_unit(acting_user, kind, unit)
    period = _check_period(kind, period)
    folder = storage_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    safe = _SAFE_NAME.sub("_", Path(file_name or "upload").name)[-120:] or "upload"
    target = folder / safe
    try:
        sha256, size = _hash_and_store(chunks, target)
        table = open_table(target)
        layout = detect_layout(table, kind)
    except Rejected:
        _remove(folder)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            unit=division,
            created_by=acting_user,
            file_name=(file_name or safe)[:255],
            stored_path=str(target),
            file_sha256=sha256,
            file_size=size,
            encoding=table.encoding,
            sheet=table.sheet,
            header_row=layout.header_row,
            mapping=layout.mapping,
            period=period,
        )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="import",
            object_id=job.pk,
            detail={
                "event": "uploaded",
                "kind": kind,
                "size": size,
                "unit": division.pk,
                # An administrator importing for a unit of their area (issue 12.16).
                "for_unit": division.pk != acting_user.jurisdiction_id,
            },
        )
    return job


def _check_period(kind: str, period: str, today=None) -> str:
    """R-FEED-1: a feed reports on one month that has begun, as YYYY-MM."""
    if kind not in ImportKind.feeds():
        return ""
    from yipanqi.imports.feed_files import feed_month

    return feed_month(period, today or timezone.localdate()).strftime("%Y-%m")


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


def previous_import(job: ImportJob) -> ImportJob | None:
    """An earlier committed import of the same file for the same unit and kind."""
    return (
        ImportJob.objects.filter(
            file_sha256=job.file_sha256,
            kind=job.kind,
            unit_id=job.unit_id,
            status=ImportStatus.DONE,
        )
        .exclude(pk=job.pk)
        .order_by("-finished_at")
        .first()
    )


def preview(job: ImportJob, *, header_row: int | None = None) -> dict:
    """The first rows with the mapping, for the user to check before importing."""
    table = open_table(uploaded_file(job), sheet=job.sheet)
    header_row = job.header_row if header_row is None else header_row
    head = table.head(header_row + 1 + PREVIEW_ROWS)
    headers = [text_of(c) for c in head[header_row]] if header_row < len(head) else []
    rows = [[text_of(c) for c in row] for row in head[header_row + 1 :]]
    width = max([len(headers)] + [len(r) for r in rows])
    headers += [""] * (width - len(headers))
    return {
        "headers": headers,
        "columns": [
            (i, h, job.mapping.get(str(i), ""), [r[i] for r in rows[:3] if i < len(r) and r[i]])
            for i, h in enumerate(headers)
        ],
        "rows": [r + [""] * (width - len(r)) for r in rows],
        "mapping": job.mapping,
        "fields": fields_for(job.kind),
        "title_rows": [[text_of(c) for c in row if text_of(c)] for row in head[:header_row]],
    }


def start(
    job: ImportJob,
    *,
    acting_user: User,
    mapping: dict[str, str] | None = None,
    header_row: int | None = None,
    valid_rows_only: bool = False,
    dry_run: bool = False,
    origin: Origin | None = None,
    background: bool = True,
) -> ImportJob:
    """Confirm the mapping and queue the job; it runs after this transaction commits."""
    if job.created_by_id != acting_user.pk:
        raise Rejected.because(_("Only the person who uploaded the file can import it."))
    table = open_table(uploaded_file(job), sheet=job.sheet)
    layout = detect_layout(
        table,
        job.kind,
        header_row=job.header_row if header_row is None else header_row,
        mapping=mapping or job.mapping,
    )
    with transaction.atomic():
        claimed = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportStatus.UPLOADED, *FINISHED_STATUSES]
        ).update(
            status=ImportStatus.QUEUED,
            header_row=layout.header_row,
            mapping=layout.mapping,
            valid_rows_only=valid_rows_only,
            dry_run=dry_run,
            error="",
        )
        if not claimed:
            raise Rejected.because(_("This file is being imported already."))
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="import",
            object_id=job.pk,
            detail={"event": "started", "valid_rows_only": valid_rows_only, "dry_run": dry_run},
        )
        if background:
            _after_commit(job.pk)
    job.refresh_from_db()
    return job


def _after_commit(job_id: int) -> None:
    """Run the job in a background thread once the queuing transaction has committed."""
    transaction.on_commit(lambda: _run_in_thread(job_id))


def _run_in_thread(job_id: int) -> None:
    thread = threading.Thread(
        target=_thread_main, args=(job_id,), name=f"import-{job_id}", daemon=True
    )
    thread.start()


def _thread_main(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        connection.close()


# --- running -------------------------------------------------------------------------------


def progress_path(job_id: int) -> Path:
    return storage_dir() / "progress" / f"{job_id}.json"


def cancel_path(job_id: int) -> Path:
    return progress_path(job_id).with_suffix(".cancel")


def write_progress(job_id: int, done: int, total: int, **detail) -> None:
    """The run's progress and heartbeat; `detail` (checked, written, phase) says how far
    reading and checking and writing have each come (issue 12.16)."""
    path = progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    known = {k: detail[k] for k in ("checked", "written", "phase") if k in detail}
    temporary.write_text(
        json.dumps({"done": done, "total": total, "pid": os.getpid(), "at": time.time(), **known})
    )
    temporary.replace(path)


PHASES = ("reading", "writing", "finishing")


def read_progress(job: ImportJob) -> dict:
    """{done, total, percent, checked, written, phase} for the progress bar; a dead run is
    marked failed here. Until the job has finished the bar stops short of 100%."""
    if job.is_finished:
        return {
            "done": job.rows, "total": job.rows, "percent": 100, "checked": job.rows,
            "written": job.rows, "phase": "finished",
        }  # fmt: skip
    try:
        data = json.loads(progress_path(job.pk).read_text())
    except (OSError, ValueError):
        data = {"done": 0, "total": 0}
    if job.status == ImportStatus.RUNNING and _is_dead(data):
        _mark_interrupted(job)
    total = data.get("total") or 0
    done = min(data.get("done") or 0, total) if total else 0
    percent = min(int(done * 100 / total), 99) if total else 0
    checked = min(data.get("checked", done) or 0, total) if total else 0
    written = min(data.get("written", done) or 0, total) if total else 0
    phase = data.get("phase") if data.get("phase") in PHASES else ""
    return {
        "done": done, "total": total, "percent": percent, "checked": checked,
        "written": written, "phase": phase,
    }  # fmt: skip


def _is_dead(data: dict) -> bool:
    """Its process is gone, or it has given no sign of life for IMPORT_STALE_SECONDS (a run
    stuck on a file, in this process or another): issue 16.2."""
    pid = data.get("pid")
    if not pid:
        return False
    if pid != os.getpid():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    return time.time() - float(data.get("at") or 0) > settings.IMPORT_STALE_SECONDS


def _mark_interrupted(job: ImportJob) -> None:
    """The run died or is stuck: its transaction has not committed and, told by the cancel
    mark, never will (`_check_cancelled`); the job can be started again."""
    cancel_path(job.pk).parent.mkdir(parents=True, exist_ok=True)
    cancel_path(job.pk).touch()
    # Stored messages are Chinese, whoever's page happened to notice the dead run (as in run()).
    with translation.override("zh-hans"):
        error = _(
            "The import stopped before it finished. Nothing was written. You can start it again."
        )
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED, error=error, finished_at=timezone.now()
    )
    job.refresh_from_db()


def _check_cancelled(job_id: int) -> None:
    if cancel_path(job_id).exists():
        raise JobCancelled(job_id)


def run(job_id: int, *, progress=None, today=None, now=None, resolver=None) -> ImportJob:
    """Run a queued job to its end: import, report, counts, audit. Never raises for bad data."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job

    def report_progress(done: int, total: int, **detail) -> None:
        _check_cancelled(job_id)
        write_progress(job_id, done, total, **detail)
        if progress:
            progress(done, total)

    cancel_path(job_id).unlink(missing_ok=True)  # a retry of a job given up before
    write_progress(job_id, 0, 0)
    outcome = None
    error = ""
    try:
        # The report column and stored messages are Chinese, whoever runs the import.
        with translation.override("zh-hans"):
            outcome = _import(job, report_progress, today, now, resolver)
    except Rejected as exc:
        error = str(exc)
    except JobCancelled:
        log.warning("import %s was given up for dead and rolled back", job_id)
        job.refresh_from_db()
        return job
    except Exception:
        log.exception("import %s failed", job_id)
        error = _("The import failed because of an internal error. Nothing was written.")
    _finish(job, outcome, error)
    return job


def _import(job: ImportJob, progress, today, now=None, resolver=None) -> Outcome:
    request = ImportRequest(
        path=Path(job.stored_path),
        kind=job.kind,
        unit=job.unit_id,
        acting_user=job.created_by,
        valid_rows_only=job.valid_rows_only,
        dry_run=job.dry_run,
        header_row=job.header_row,
        mapping=job.mapping,
        sheet=job.sheet,
        today=today,
        job_id=job.pk,
        progress=progress,
        now=now,
        resolver=resolver,
    )
    if job.kind in ImportKind.registrations():
        return import_registrations(request)
    from yipanqi.imports.feed_files import import_feed

    return import_feed(request, period=job.period)


def _finish(job: ImportJob, outcome: Outcome | None, error: str) -> None:
    now = timezone.now()
    if outcome is None:
        job.status = ImportStatus.FAILED
        job.error = error[:2000]
    else:
        if outcome.committed:
            job.status = ImportStatus.DONE
        elif job.dry_run:
            job.status = ImportStatus.CHECKED
        else:
            job.status = ImportStatus.REJECTED
        job.rows = outcome.rows
        committed = outcome.committed or job.dry_run
        job.created = outcome.created if committed else 0
        job.updated = outcome.updated if committed else 0
        job.unchanged = outcome.unchanged if committed else 0
        job.rejected = outcome.rejected
        job.notified = outcome.notified
        job.seconds = outcome.seconds
        job.rejected_rows = []
        if outcome.rejected:
            report, job.rejected_rows = _write_report(job, outcome)
            job.report_path = str(report)
    job.finished_at = now
    if job.status == ImportStatus.DONE:
        _forget_upload(job)
    with transaction.atomic():
        job.save()
        record_event(
            actor=job.created_by,
            action=Action.CHANGE,
            result=Result.OK if job.status == ImportStatus.DONE else Result.ERROR,
            object_type="import",
            object_id=job.pk,
            detail={"event": "finished", "kind": job.kind, **_counts(job)},
        )


def _forget_upload(job: ImportJob) -> None:
    """P5: once imported, an uploaded file (plain ID numbers) is not kept; its hash is. Files
    named on the command line belong to the operator and stay where they are."""
    path = Path(job.stored_path)
    if storage_dir() in path.parents and path.is_file():
        path.unlink()
        if not any(path.parent.iterdir()):
            path.parent.rmdir()


def uploaded_file(job: ImportJob) -> Path:
    """The job's file, or UnreadableFile when it is no longer kept."""
    path = Path(job.stored_path)
    if not path.is_file():
        raise UnreadableFile(
            _("The file is no longer kept after a completed import. Please upload it again.")
        )
    return path


def _counts(job: ImportJob) -> dict:
    return {
        "status": job.status,
        "rows": job.rows,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "notified": job.notified,
    }


def _write_report(job: ImportJob, outcome: Outcome) -> tuple[Path, list[dict]]:
    """The rejection report, and the first rejected rows for the job's page."""
    from yipanqi.imports.report import write_rejection_report

    table = open_table(Path(job.stored_path), sheet=job.sheet)
    layout = detect_layout(table, job.kind, header_row=job.header_row, mapping=job.mapping)
    stem = Path(job.file_name).stem[:80] or "import"
    target = storage_dir() / "reports" / f"{job.pk}-{stem}-错误报告.xlsx"
    path = write_rejection_report(table, layout, outcome.errors, target, rows=outcome.rows)
    return path, rejected_rows(job.kind, layout, outcome.errors)


def rejected_rows(kind: str, layout, errors: dict[int, list[str]]) -> list[dict]:
    """Each rejection message with its row number in the file and the column it is about
    (the file's own header, else the field's name; '' for the row as a whole), in row
    order, at most REJECTED_ROWS_KEPT of them."""
    labels = {f.name: str(f.label) for f in fields_for(kind)}
    columns = {}
    for index, name in layout.mapping.items():
        header = layout.headers[int(index)] if int(index) < len(layout.headers) else None
        columns[name] = text_of(header) or labels.get(name, "")
    shown = []
    for number in sorted(errors):
        for message in errors[number]:
            # None: a message that names no field (the feeds' checks); "": the whole row.
            field = getattr(message, "field", None)
            shown.append(
                {
                    "row": number,
                    "field": field,
                    "column": (columns.get(field) or labels.get(field, "")) if field else "",
                    "reason": str(message),
                }
            )
            if len(shown) >= REJECTED_ROWS_KEPT:
                return shown
    return shown


REJECTED_PAGE = 50


def rejected_page(job: ImportJob, page: int = 1) -> dict:
    """One page of the job's rejected rows (50 a page) and whether there are more."""
    rows = job.rejected_rows or []
    pages = max((len(rows) + REJECTED_PAGE - 1) // REJECTED_PAGE, 1)
    page = min(max(page, 1), pages)
    start = (page - 1) * REJECTED_PAGE
    return {
        "rows": rows[start : start + REJECTED_PAGE],
        "page": page,
        "pages": pages,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
        "kept": len(rows),
        "all_kept": len(rows) < REJECTED_ROWS_KEPT,
    }


def import_path(
    path: Path,
    *,
    kind: str,
    unit: str,
    acting_user: User | None = None,
    valid_rows_only: bool = False,
    dry_run: bool = False,
    period: str = "",
    progress=None,
    today=None,
    now=None,
    resolver=None,
) -> ImportJob:
    """The command line's import: a job for a file on the server, run now in this process.

    `unit` is the importing jurisdiction (residence side for inflow, home side for outflow);
    an operator with shell access acts for it, and `acting_user` (optional) is recorded.
    """
    if kind not in ImportKind.values:
        raise Rejected.because(_("Please choose what the file contains."))
    division = Division.objects.filter(pk=unit).first()
    if division is None:
        raise Rejected.because(_("There is no division with code %(code)s.") % {"code": unit})
    casework = acting_user is not None and acting_user.role in CASEWORK_ROLES
    if casework and not Scope.of(acting_user).covers(unit):
        raise Rejected.because(_("This jurisdiction is outside the user's own."))
    if acting_user is not None and kind in ImportKind.feeds():
        refusal = _feed_refusal(acting_user, kind)
        if refusal:  # R-FEED-1: a feeder's own department's feeds only
            raise Rejected.because(refusal)
    period = _check_period(kind, period, today)
    path = Path(path).resolve()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    table = open_table(path)
    layout = detect_layout(table, kind)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            unit=division,
            created_by=acting_user,
            file_name=path.name[:255],
            stored_path=str(path),
            file_sha256=digest.hexdigest(),
            file_size=path.stat().st_size,
            encoding=table.encoding,
            sheet=table.sheet,
            header_row=layout.header_row,
            mapping=layout.mapping,
            valid_rows_only=valid_rows_only,
            dry_run=dry_run,
            period=period,
            status=ImportStatus.QUEUED,
        )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=Origin(channel="cli"),
            object_type="import",
            object_id=job.pk,
            detail={"event": "started", "kind": kind, "unit": unit},
        )
    # `now`: when the file arrived, for a feed's timeliness (the demo replays a year's feeds).
    # `resolver`: one DivisionResolver for many small files of one unit (it reads the divisions).
    return run(job.pk, progress=progress, today=today, now=now, resolver=resolver)
