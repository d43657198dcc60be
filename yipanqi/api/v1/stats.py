"""/api/v1/stats/: live rates (R-STAT-1), children and trend for maps and charts (R-STAT-4),
the rows behind a number within your scope, the two-way assessment (R-STAT-2).

Output schemas are plain pydantic models: ninja's Schema reads every nested dict through its
attribute getter, which doubled the time of a /children answer (500 rates).

Figures come from counters maintained in the transactions that change the facts. Bad input is
422 with a field error map; roles without record access (三员) get 403.
"""

import datetime as dt
import functools

from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel

from yipanqi.api.v1.common import ErrorOut
from yipanqi.stats import services
from yipanqi.stats.rates import rate_by_code
from yipanqi.stats.selectors import Figure, Place, drill_page

router = Router(tags=["stats"])


class AtIn(Schema):
    at: str | None = Field(
        None, max_length=12, description="division code; empty: the nation; omitted: yours"
    )
    period: str | None = Field(
        None, max_length=10, description="2026, 2026-Q1 or 2026-03; default: this year"
    )


class TrendIn(AtIn):
    rate: str | None = Field(None, max_length=40, description="a rate code (see /rates)")


class DrillIn(AtIn):
    rate: str = Field(..., max_length=40)
    part: str = Field(..., pattern="^(numerator|denominator|gap)$")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


class PlaceOut(BaseModel):
    code: str
    name: str
    path_name: str
    level: int


class PeriodOut(BaseModel):
    code: str
    kind: str
    start: dt.date
    end: dt.date


class TargetOut(BaseModel):
    value: float
    source: str


class RateOut(BaseModel):
    code: str
    label: str
    rule: str
    side: str
    kind: str
    numerator: int
    denominator: int
    value: float | None
    target: TargetOut | None
    band: list[float] | None
    meets: bool | None = Field(
        None, description="null: nothing to judge (no cases, or fewer than min_sample)"
    )
    sample_too_small: bool = Field(
        False, description="R-STAT-5: fewer cases than min_sample; shown, not judged"
    )
    min_sample: int = Field(0, description="the fewest cases judged against the target or band")
    numerator_label: str
    denominator_label: str
    window: str = Field(
        ..., description="period: summed over the period; year: a year measure, 1 January on"
    )
    since: dt.date | None = Field(None, description="a year measure's first day counted")


class RatesOut(BaseModel):
    place: PlaceOut
    period: PeriodOut
    rates: list[RateOut]


class RatesChildOut(BaseModel):
    place: PlaceOut
    rates: list[RateOut]


class ChildrenOut(BaseModel):
    place: PlaceOut
    period: PeriodOut
    children: list[RatesChildOut]


class MonthOut(Schema):
    month: str
    numerator: int
    denominator: int
    value: float | None


class TrendOut(Schema):
    place: PlaceOut
    rate: str
    target: TargetOut | None
    months: list[MonthOut]


class DrillRowOut(Schema):
    kind: str = Field(..., description="registration or request")
    id: int
    person_id: int | None = None
    person_name: str | None = None
    registration_kind: str | None = None
    arrival_date: dt.date | None = None
    received_on: dt.date | None = None
    recorded_in_time: bool | None = None
    counted_on: dt.date | None = Field(None, description="a year measure: when it counted her")
    request_type: str | None = None
    sender_code: str | None = None
    receiver_code: str | None = None
    due_on: dt.date | None = None
    answered_at: dt.datetime | None = None
    status: str | None = None


class DrillOut(Schema):
    place: PlaceOut
    period: PeriodOut
    metric: str
    label: str
    count: int
    page: int
    pages: int
    results: list[DrillRowOut]


def _place(place: Place) -> dict:
    return {
        "code": place.code,
        "name": str(place.name),
        "path_name": str(place.path_name),
        "level": place.level,
    }


def _period(period) -> dict:
    return {"code": period.code, "kind": period.kind, "start": period.start, "end": period.end}


def _rate(f: Figure) -> dict:
    r = f.rate
    return {
        **_rate_text(r.code, translation.get_language()),
        "numerator": f.numerator,
        "denominator": f.denominator,
        "value": round(f.value, 4) if f.value is not None else None,
        "target": {"value": f.target.value, "source": str(f.target.source)} if f.target else None,
        "meets": f.meets,
        "sample_too_small": f.sample_too_small,
        "min_sample": r.min_sample,
        "since": f.since,
    }


@functools.cache
def _rate_text(code: str, language: str | None) -> dict:
    """What a rate says of itself, in the request's language (a /children answer repeats it for
    every place: 500 lazy translations)."""
    r = rate_by_code(code)
    return {
        "code": r.code,
        "label": str(r.label),
        "rule": r.rule,
        "side": r.side,
        "kind": r.kind,
        "band": list(r.band) if r.band else None,
        "numerator_label": str(r.numerator_label),
        "denominator_label": str(r.denominator_label),
        "window": r.window,
    }


def _ask(service, request, query: AtIn, **more):
    try:
        return service(request.auth, at=query.at, period=query.period, **more)
    except services.StatsForbidden:
        raise HttpError(403, "Your role does not see statistics.") from None


@router.get("/rates", response={200: RatesOut, 422: ErrorOut}, summary="Every rate (R-STAT-1)")
def rates(request, query: Query[AtIn]):
    """Every rate of a jurisdiction and period: numerator, denominator, value, target."""
    place, period, figures = _ask(services.rates, request, query)
    return {"place": _place(place), "period": _period(period), "rates": [_rate(f) for f in figures]}


@router.get(
    "/children", response={200: ChildrenOut, 422: ErrorOut}, summary="Every rate one level down"
)
def children(request, query: Query[AtIn]):
    """The map's and the table's data: each jurisdiction one real level down (R-JUR-2)."""
    place, period, rows = _ask(services.children, request, query)
    return {
        "place": _place(place),
        "period": _period(period),
        "children": [
            {"place": _place(row.place), "rates": [_rate(f) for f in row.figures]} for row in rows
        ],
    }


@router.get("/trend", response={200: TrendOut, 422: ErrorOut}, summary="A rate by month")
def trend(request, query: Query[TrendIn]):
    """The twelve months up to the end of the period (R-STAT-4)."""
    place, rate, target, months = _ask(services.trend, request, query, rate=query.rate)
    return {
        "place": _place(place),
        "rate": rate.code,
        "target": {"value": target.value, "source": str(target.source)} if target else None,
        "months": [
            {
                "month": f"{month:%Y-%m}",
                "numerator": f.numerator,
                "denominator": f.denominator,
                "value": round(f.value, 4) if f.value is not None else None,
            }
            for month, f in months
        ],
    }


def _drill_row(row, subject: str) -> dict:
    if subject == "request":
        return {
            "kind": "request",
            "id": row.pk,
            "request_type": row.type,
            "sender_code": row.sender_id,
            "receiver_code": row.receiver_id,
            "due_on": row.due_on,
            "answered_at": row.answered_at,
            "status": row.status,
        }
    return {
        "kind": "registration",
        "id": row.pk,
        "person_id": row.person_id,
        "person_name": row.person.name,
        "registration_kind": row.kind,
        "arrival_date": row.arrival_date,
        "received_on": row.received_on,
        "recorded_in_time": row.recorded_in_time,
        "counted_on": getattr(row, "counted_on", None),
    }


@router.get("/drill", response={200: DrillOut, 422: ErrorOut}, summary="Rows behind a number")
def drill(request, query: Query[DrillIn]):
    """The registrations or requests counted in a rate's numerator, denominator or gap, limited
    to those you may see (R-ACC-2): persons of your subtree, requests your units sent or got."""
    place, period, found = _ask(services.drill, request, query, rate=query.rate, part=query.part)
    page = drill_page(found, query.page, query.page_size)
    return {
        "place": _place(place),
        "period": _period(period),
        "metric": found.metric,
        "label": found.label,
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_drill_row(row, found.subject) for row in page.object_list],
    }


# --- the two-way assessment (R-STAT-2) and the annual report (R-STAT-3) ----------------------


class AssessmentItemOut(BaseModel):
    label: str
    article: str = Field(description="the article of the regional agreement it applies")
    failures: int
    cases: int | None = Field(description="null: a plain count (complaints), one point each")
    compliance: float | None = Field(description="percent of cases without failure")
    drill: str = Field(description="query string of /drill for the failures")


class AssessmentSectionOut(BaseModel):
    side: str = Field(description="home, residence or both")
    title: str
    score: float | None = Field(description="mean compliance less one point per complaint")
    items: list[AssessmentItemOut]


class AssessmentRequestsOut(BaseModel):
    type: str
    label: str
    side: str
    due: int
    on_time: int
    late: int
    escalated: int


class AssessmentOut(BaseModel):
    place: PlaceOut
    period: PeriodOut
    sections: list[AssessmentSectionOut]
    requests_by_type: list[AssessmentRequestsOut]


@router.get(
    "/assessment",
    response={200: AssessmentOut, 403: ErrorOut, 422: ErrorOut},
    summary="The two-way assessment of a jurisdiction (R-STAT-2)",
)
def assessment(request, query: Query[AtIn]):
    """Each side scored from the other side's data, for a year (2026) or a quarter (2026-Q1);
    any jurisdiction, as the web page (aggregates only: the rows behind are /drill, scoped)."""
    card = _ask(services.assessment, request, query)
    return {
        "place": _place(card.place),
        "period": _period(card.period),
        "sections": [
            {
                "side": s.side,
                "title": str(s.title),
                "score": round(s.score, 2) if s.score is not None else None,
                "items": [
                    {
                        "label": str(i.label),
                        "article": i.article,
                        "failures": i.failures,
                        "cases": i.cases,
                        "compliance": round(i.compliance, 2) if i.compliance is not None else None,
                        "drill": i.drill,
                    }
                    for i in s.items
                ],
            }
            for s in card.sections
        ],
        "requests_by_type": card.requests_by_type,
    }


class ReportIn(Schema):
    at: str = Field(..., max_length=40, description="a province code (44) or a region (pan-pearl)")
    year: int = Field(..., ge=2000, le=2099)
    format: str = Field(
        "json", pattern="^(json|pdf|xlsx)$", description="json, or the PDF or XLSX file"
    )


class ReportRowOut(BaseModel):
    code: str
    name: str
    rates: list[RateOut]


class ReportMonthOut(BaseModel):
    month: str
    rates: list[RateOut]


class ReportScoreOut(BaseModel):
    side: str
    score: float | None


class ReportOut(BaseModel):
    title: str
    subject: str
    code: str
    year: int
    compiled_by: str
    generated_on: dt.date
    partial_until: dt.date | None = Field(
        description="the year is in progress: figures count up to this day only"
    )
    rates: list[RateOut]
    row_kind: str = Field(description="what the rows are: the cities, or the region's provinces")
    rows: list[ReportRowOut]
    months: list[ReportMonthOut]
    scores: list[ReportScoreOut]


@router.get(
    "/report",
    response={200: ReportOut, 403: ErrorOut, 422: ErrorOut},
    summary="The annual report of a province or a region (R-STAT-3)",
    openapi_extra={
        "responses": {
            "200": {
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                }
            }
        }
    },
)
def report(request, query: Query[ReportIn]):
    """The same figures as the PDF and the XLSX (`format=pdf|xlsx` returns the file). A year
    that has not started is 422; the year in progress carries `partial_until`."""
    from django.http import HttpResponse

    from yipanqi.stats import exports
    from yipanqi.stats.report import report_pdf, report_xlsx

    try:
        annual = services.annual(request.auth, jurisdiction=query.at, year=str(query.year))
    except services.StatsForbidden:
        raise HttpError(403, "Your role does not see statistics.") from None
    if query.format != "json":
        content, kind = (
            (report_pdf(annual), "application/pdf")
            if query.format == "pdf"
            else (report_xlsx(annual), exports.XLSX)
        )
        response = HttpResponse(content, content_type=kind)
        name = f"annual-report-{annual.code}-{annual.year}.{query.format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return {
        "title": annual.title,
        "subject": annual.subject,
        "code": annual.code,
        "year": annual.year,
        "compiled_by": annual.compiled_by,
        "generated_on": annual.generated_on,
        "partial_until": annual.partial_until,
        "rates": [_rate(f) for f in annual.figures],
        "row_kind": str(annual.row_label),
        "rows": [
            {"code": r.code, "name": r.name, "rates": [_rate(f) for f in r.figures]}
            for r in annual.rows
        ],
        "months": [
            {
                "month": f"{month:%Y-%m}",
                "rates": [_rate(annual.monthly[code][index]) for code in annual.monthly],
            }
            for index, month in enumerate(annual.months)
        ],
        "scores": [{"side": title, "score": score} for title, score in annual.scores],
    }
