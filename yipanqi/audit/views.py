"""The auditor's view of the audit trail: filters, pages, CSV and XLSX export (issue 7.3).

Only the auditor (三员分立) opens it; reading and exporting the trail are themselves audited.
"""

import datetime as dt
import io

from django import forms
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yipanqi.audit import anchors, chain
from yipanqi.audit.models import Action, AuditEvent, Result
from yipanqi.audit.services import Origin, record_event
from yipanqi.core import sheets
from yipanqi.core.paging import paginate

EXPORT_LIMIT = 100_000
COLUMNS = [
    ("id", gettext_lazy("No.")),
    ("at", gettext_lazy("Time")),
    ("actor_name", gettext_lazy("User")),
    ("action", gettext_lazy("Action")),
    ("result", gettext_lazy("Result")),
    ("object_type", gettext_lazy("Object")),
    ("object_id", gettext_lazy("Object id")),
    ("person_id", gettext_lazy("Person")),
    ("reason", gettext_lazy("Reason")),
    ("ip", pgettext_lazy("network address", "Address")),
    ("channel", gettext_lazy("Channel")),
    ("detail", gettext_lazy("Detail")),
    ("row_hash", gettext_lazy("Hash")),
]


class AuditFilterForm(forms.Form):
    since = forms.DateField(required=False, label=pgettext_lazy("date range", "From"))
    until = forms.DateField(required=False, label=pgettext_lazy("date range", "To"))
    actor = forms.CharField(required=False, max_length=150, label=gettext_lazy("User"))
    action = forms.ChoiceField(
        required=False, choices=[("", "—"), *Action.choices], label=gettext_lazy("Action")
    )
    result = forms.ChoiceField(
        required=False, choices=[("", "—"), *Result.choices], label=gettext_lazy("Result")
    )
    person = forms.IntegerField(
        required=False, min_value=1, max_value=2**62, label=gettext_lazy("Person")
    )
    ip = forms.GenericIPAddressField(
        required=False, label=pgettext_lazy("network address", "Address")
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter(self, qs):
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        if data.get("since"):
            qs = qs.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=tz))
        if data.get("until"):
            end = dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            qs = qs.filter(at__lt=end)
        if data.get("actor"):
            qs = qs.filter(actor_name=data["actor"].strip())
        for field in ("action", "result"):
            if data.get(field):
                qs = qs.filter(**{field: data[field]})
        if data.get("person"):
            qs = qs.filter(person_id=data["person"])
        if data.get("ip"):
            qs = qs.filter(ip=data["ip"])
        return qs

    def criteria(self) -> dict:
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def _require_auditor(request):
    if not getattr(request.user, "reads_audit_trail", False):
        raise Http404


@never_cache
@require_GET
def events(request):
    """The audit trail, newest first, filtered; `?export=csv|xlsx` downloads the selection."""
    _require_auditor(request)
    form = AuditFilterForm(request.GET or None)
    rows = AuditEvent.objects.order_by("-id")
    if request.GET and not form.is_valid():
        return render(request, "audit/events.html", {"form": form, "page": None}, status=400)
    criteria = form.criteria() if form.is_bound else {}
    if form.is_bound:
        rows = form.filter(rows)
    origin = Origin.from_request(request, channel="web")
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        return _export(request, rows, export, criteria, origin)
    with transaction.atomic():
        record_event(
            actor=request.user,
            action=Action.AUDIT_VIEW,
            origin=origin,
            object_type="audit",
            detail=criteria,
        )
    page = paginate(request, rows)
    query = request.GET.copy()  # the export links download the same filter, every page
    query.pop("page", None)
    return render(
        request,
        "audit/events.html",
        {"form": form, "page": page, "query": query.urlencode(), **_chain_state()},
    )


def _chain_state() -> dict:
    """Issue 16.8: the newest checkpoints, the last full verification, and a quick check of the
    chain's end against the checkpoints now (the full walk runs on the schedule)."""
    found = anchors.read_anchors()
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    problems, _bound = anchors.check(last_id, chain.archive_markers())
    return {
        "checkpoints": [a for a in reversed(found.anchors) if a.kind == anchors.KIND_ANCHOR][:5],
        "verification": anchors.load_status(),
        "checkpoint_problems": problems,
    }


def _cell(row: AuditEvent, field: str):
    value = getattr(row, field)
    if field == "at":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if field in ("action", "result"):
        return f"{value} · {getattr(row, f'get_{field}_display')()}"
    if field == "detail":
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if value is None:
        return ""
    # core.sheets writes it: a formula planted in a user name or a reason stays text.
    return str(value)


def _export(request, rows, kind: str, criteria: dict, origin: Origin):
    rows = list(rows[: EXPORT_LIMIT + 1])
    truncated = len(rows) > EXPORT_LIMIT
    rows = rows[:EXPORT_LIMIT]
    with transaction.atomic():
        record_event(
            actor=request.user,
            action=Action.AUDIT_EXPORT,
            origin=origin,
            object_type="audit",
            detail={**criteria, "format": kind, "rows": len(rows), "truncated": truncated},
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    header = [str(label) for _field, label in COLUMNS]
    if kind == "csv":
        buffer = io.StringIO()
        writer = sheets.csv_writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row, field) for field, _label in COLUMNS])
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Audit trail"))
        sheets.append(sheet, header)
        for row in rows:
            sheets.append(sheet, [_cell(row, field) for field, _label in COLUMNS])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{kind}"'
    return response
