"""Dashboards, drill-down, exports. Views parse, authorize, call one service and render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from yipanqi.core.errors import Rejected
from yipanqi.core.paging import with_links
from yipanqi.stats import exports, services
from yipanqi.stats.periods import year
from yipanqi.stats.selectors import drill_page
from yipanqi.stats.services import StatsForbidden


def _error_page(request, exc: Rejected, status=422):
    return render(request, "stats/error.html", {"errors": exc.messages()}, status=status)


def _query(request) -> dict:
    get = request.GET
    return {"at": get.get("at"), "period": get.get("period"), "rate": get.get("rate")}


@never_cache
@login_required
def dashboard(request):
    try:
        board = services.dashboard(request.user, **_query(request))
    except StatsForbidden:
        raise Http404 from None
    except Rejected as exc:
        return _error_page(request, exc)
    this_year = year(board.period.start.year)
    return render(
        request,
        "stats/dashboard.html",
        {
            "board": board,
            "periods": _period_choices(board.period),
            "this_year": this_year,
            "map_data": board.map_data(),
            "trend_data": board.trend_data(),
        },
    )


def _period_choices(current) -> list[tuple[str, str]]:
    """The year, its quarters and months, and the two years before, for the period picker."""
    from yipanqi.stats.periods import parse_period

    choices = []
    y = current.start.year
    for value in (y, y - 1, y - 2):
        choices.append(str(value))
    for q in range(1, 5):
        choices.append(f"{y}-Q{q}")
    for m in range(1, 13):
        choices.append(f"{y}-{m:02d}")
    if current.code not in choices:
        choices.insert(0, current.code)
    return [(code, parse_period(code).label) for code in choices]


@never_cache
@login_required
def export(request):
    try:
        board = services.dashboard(request.user, **_query(request))
    except StatsForbidden:
        raise Http404 from None
    except Rejected as exc:
        return _error_page(request, exc)
    response = HttpResponse(exports.dashboard_xlsx(board), content_type=exports.XLSX)
    name = f"yipanqi-{board.place.code or 'CN'}-{board.period.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
def drill(request):
    get = request.GET
    try:
        place, period, found = services.drill(
            request.user,
            at=get.get("at"),
            period=get.get("period"),
            rate=get.get("rate", ""),
            part=get.get("part", ""),
            metric=get.get("metric", ""),
            key=get.get("key", ""),
            minus=get.get("minus", ""),
        )
    except StatsForbidden:
        raise Http404 from None
    except Rejected as exc:
        return _error_page(request, exc)
    page = with_links(request, drill_page(found, get.get("page") or 1))
    return render(
        request,
        "stats/drill.html",
        {
            "place": place,
            "period": period,
            "drill": found,
            "page": page,
            "back": f"?at={place.code}&period={period.code}",
        },
    )


@never_cache
@login_required
def assessment(request):
    try:
        card = services.assessment(
            request.user, at=request.GET.get("at"), period=request.GET.get("period")
        )
    except StatsForbidden:
        raise Http404 from None
    except Rejected as exc:
        return _error_page(request, exc)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exports.assessment_xlsx(card), content_type=exports.XLSX)
        name = f"yipanqi-assessment-{card.place.code or 'CN'}-{card.period.code}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "stats/assessment.html", {"card": card})


@never_cache
@login_required
def report(request):
    """R-STAT-3: choose a province or a region and a year; download the PDF or the XLSX."""
    get = request.GET
    if not services.may_view(request.user):
        raise Http404
    fmt = get.get("format", "")
    if fmt not in ("pdf", "xlsx"):
        return render(
            request,
            "stats/report.html",
            {
                "choices": services.report_choices(request.user),
                "chosen": get.get("at") or (request.user.scope_code or "")[:2],
                "year": get.get("year") or "",
            },
        )
    try:
        annual = services.annual(request.user, jurisdiction=get.get("at"), year=get.get("year"))
    except Rejected as exc:
        return _error_page(request, exc)
    from yipanqi.stats.report import report_pdf, report_xlsx

    name = f"annual-report-{annual.code}-{annual.year}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(report_pdf(annual), content_type="application/pdf")
    else:
        response = HttpResponse(report_xlsx(annual), content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
