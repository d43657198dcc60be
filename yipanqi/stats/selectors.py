"""Reads for the dashboards, the assessment and the report: sums of counters, never of raw rows
(except the drill-down, which lists the rows behind one number within the user's scope)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yipanqi.core.errors import NotFound
from yipanqi.divisions.codes import InvalidCode, level_of
from yipanqi.divisions.models import within_q
from yipanqi.divisions.scope import Scope
from yipanqi.ledger.families import count_of, family_of_metric
from yipanqi.ledger.models import StatCounter
from yipanqi.stats.periods import Period
from yipanqi.stats.rates import RATES, Rate, rate_by_code


@dataclass(frozen=True)
class Place:
    """A jurisdiction for statistics: a division, or the nation (code "")."""

    code: str
    name: str
    path_name: str
    level: int  # 0 nation, 1 province ... 5 village
    is_placeholder: bool = False

    @property
    def is_nation(self) -> bool:
        return self.code == ""

    @property
    def province(self) -> str:
        return self.code[:2]


def get_place(code: str | None) -> Place:
    """The jurisdiction with this native code ('' or None: the nation); NotFound otherwise."""
    from yipanqi.divisions.models import Division

    code = (code or "").strip()
    if code in ("", "CN", "nation"):
        return Place("", _("Nationwide"), _("Nationwide"), 0)
    try:
        level_of(code)
    except InvalidCode:
        raise NotFound() from None
    division = Division.objects.filter(pk=code).first()
    if division is None:
        raise NotFound()
    return Place(
        division.code,
        division.short_name,
        division.path_name or division.name,
        division.level,
        division.is_placeholder,
    )


def children_of(place: Place) -> list[Place]:
    """The next real level down (R-JUR-2: placeholder cities are skipped)."""
    from yipanqi.divisions.queries import list_children

    if place.level >= 5:
        return []
    children = list_children(place.code or None)
    return [
        Place(c.division.code, c.division.short_name, c.division.path_name, c.division.level)
        for c in children
    ]


def breadcrumbs(place: Place) -> list[Place]:
    """The nation, then each real ancestor, then the place itself."""
    from yipanqi.divisions.models import Division

    trail = [get_place("")]
    if place.is_nation:
        return trail
    codes = [place.code[:n] for n in (2, 4, 6, 9) if n < len(place.code)]
    found = {d.code: d for d in Division.objects.filter(code__in=codes)}
    for code in codes:
        division = found.get(code)
        if division is not None and not division.is_placeholder:
            trail.append(Place(code, division.short_name, division.path_name, division.level))
    trail.append(place)
    return trail


# --- targets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    value: float
    source: str


class TargetBook:
    """R-STAT-1 targets from the region rule sets (R-REG-1/2), read once per page: the national
    default, overridden by the strictest region a province belongs to, then by the province's
    own parameters."""

    def __init__(self, on: dt.date | None = None):
        from yipanqi.regions.models import Region
        from yipanqi.regions.rules import current_rule_sets

        self.regions = list(Region.objects.all())
        self.sets = current_rule_sets(self.regions, on or timezone.localdate())
        self._cache: dict[str, dict[str, Target]] = {}

    def _targets(self, region) -> dict[str, Target]:
        rule_set = self.sets.get(region.pk)
        if rule_set is None:
            return {}
        return {k: Target(float(v), region.name) for k, v in (rule_set.targets or {}).items()}

    def for_code(self, code: str) -> dict[str, Target]:
        from yipanqi.regions.models import RegionKind

        province = code[:2]
        if province in self._cache:
            return self._cache[province]
        result: dict[str, Target] = {}
        for region in self.regions:
            if region.kind == RegionKind.NATIONAL:
                result.update(self._targets(region))
        if province:
            strictest: dict[str, Target] = {}
            for region in self.regions:
                if region.kind == RegionKind.REGION and province in region.provinces:
                    for key, target in self._targets(region).items():
                        if key not in strictest or target.value > strictest[key].value:
                            strictest[key] = target
            result.update(strictest)
            for region in self.regions:
                if region.kind == RegionKind.PROVINCE and region.provinces == [province]:
                    result.update(self._targets(region))
        self._cache[province] = result
        return result

    def for_region(self, region) -> dict[str, Target]:
        return self._targets(region)


def targets_for(code: str, on: dt.date | None = None) -> dict[str, Target]:
    """The targets that apply to a jurisdiction (see TargetBook)."""
    return TargetBook(on).for_code(code)


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One rate for one jurisdiction and period: numerator, denominator, target."""

    rate: Rate
    numerator: int
    denominator: int
    target: Target | None = None
    # A year measure read over part of a year: the first day counted (1 January).
    since: dt.date | None = None

    @property
    def value(self) -> float | None:
        if not self.denominator:
            return None
        return 100.0 * self.numerator / self.denominator

    @property
    def gap(self) -> int:
        return self.denominator - self.numerator if self.rate.kind == "percent" else 0

    @property
    def flagged(self) -> bool:
        """R-STAT-5: a ratio outside its band."""
        return self.rate.band is not None and self.meets is False

    @property
    def sample_too_small(self) -> bool:
        """R-STAT-5: fewer cases than the rate's stated minimum: shown, never judged."""
        minimum = self.rate.min_sample
        return bool(minimum) and self.numerator + self.denominator < minimum

    @property
    def meets(self) -> bool | None:
        """Whether the target is met; None when there is nothing to judge (no cases, or fewer
        than the rate's minimum sample)."""
        value = self.value
        if value is None or self.sample_too_small:
            return None
        if self.rate.band is not None:
            low, high = self.rate.band
            return low <= value <= high
        if self.target is None:
            return None
        return value + 1e-9 >= self.target.value

    @property
    def target_text(self) -> str:
        if self.rate.band is not None:
            return f"{self.rate.band[0]:g}–{self.rate.band[1]:g}"
        if self.target is None:
            return ""
        return f"≥ {self.target.value:g}%"

    @property
    def value_text(self) -> str:
        value = self.value
        if value is None:
            return "—"
        if self.rate.kind == "ratio":
            return f"{value:.1f}"
        return f"{value:.1f}%"


def target_of(rate: Rate, targets: dict[str, Target]) -> Target | None:
    """The target of a rate among a jurisdiction's targets (or the rate's fixed one)."""
    if rate.target_key and rate.target_key in targets:
        return targets[rate.target_key]
    if rate.fixed_target is not None:
        from yipanqi.stats.rulewords import in_words

        # The source is shown beside the target: the rule in words, not its id (issue 12.9).
        return Target(rate.fixed_target, in_words(rate.rule))
    return None


def metrics_of(rates: Iterable[Rate]) -> list[str]:
    return sorted({m for r in rates for m in (r.numerator, r.denominator, r.ended) if m})


def _since(rate: Rate, period: Period) -> dt.date | None:
    start = dt.date(period.start.year, 1, 1)
    return start if rate.window == "year" and period.start != start else None


def rate_values(codes: list[str], rates: list[Rate], period: Period) -> dict:
    """{code: {rate code: (numerator, denominator)}} for the period: a query for the rates
    summed over the period's months, one more for the year measures (see Rate.window)."""
    plain = [r for r in rates if r.window == "period"]
    totals = sums(codes, metrics_of(plain), period.start, period.end)
    result = {
        code: {
            r.code: (totals[code].get(r.numerator, 0), totals[code].get(r.denominator, 0))
            for r in plain
        }
        for code in codes
    }
    yearly = [r for r in rates if r.window == "year"]
    if yearly and codes:
        first = dt.date(period.start.year, 1, 1)
        rows = (
            StatCounter.objects.filter(
                division_code__in=codes,
                metric__in=metrics_of(yearly),
                key="",
                period_start__lt=period.end,
            )
            .values_list("division_code", "metric")
            .annotate(ever=Sum("value"), this_year=Sum("value", filter=Q(period_start__gte=first)))
            .order_by()
        )
        ever: dict = defaultdict(int)
        this_year: dict = defaultdict(int)
        for code, metric, total, since_first in rows:
            ever[(code, metric)] = int(total or 0)
            this_year[(code, metric)] = int(since_first or 0)
        for code in codes:
            for r in yearly:
                ended_before = ever[(code, r.ended)] - this_year[(code, r.ended)]
                result[code][r.code] = (
                    this_year[(code, r.numerator)],
                    ever[(code, r.denominator)] - ended_before,
                )
    return result


def _figures(rates: list[Rate], values: dict, targets, period: Period) -> list[Figure]:
    return [
        Figure(r, *values[r.code], target_of(r, targets), since=_since(r, period)) for r in rates
    ]


def monthly(codes: list[str], rate: Rate, months: list[dt.date]) -> dict[dt.date, tuple]:
    """{month: (numerator, denominator)} of one rate for each month, summed over the codes: one
    query. A year measure is read, for each month, from 1 January of its year (Rate.window)."""
    data: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if not months or not codes:
        return {m: (0, 0) for m in months}
    rows = StatCounter.objects.filter(
        division_code__in=codes, metric__in=metrics_of([rate]), key=""
    )
    if rate.window == "year":
        rows = rows.filter(period_start__lte=months[-1])
    else:
        rows = rows.filter(period_start__gte=months[0], period_start__lte=months[-1])
    for month, metric, total in (
        rows.values_list("period_start", "metric").annotate(total=Sum("value")).order_by()
    ):
        data[month][metric] += int(total or 0)
    if rate.window != "year":
        return {
            m: (data[m].get(rate.numerator, 0), data[m].get(rate.denominator, 0)) for m in months
        }
    result = {}
    for m in months:
        first = dt.date(m.year, 1, 1)
        numerator = sum(v[rate.numerator] for k, v in data.items() if first <= k <= m)
        entered = sum(v[rate.denominator] for k, v in data.items() if k <= m)
        ended = sum(v[rate.ended] for k, v in data.items() if k < first)
        result[m] = (numerator, entered - ended)
    return result


def sums(codes: list[str], metrics: list[str], start: dt.date, end: dt.date) -> dict:
    """{code: {metric: total}} over the months in [start, end), key totals only: one query."""
    result: dict[str, dict[str, int]] = {code: defaultdict(int) for code in codes}
    if not codes or not metrics:
        return result
    rows = (
        StatCounter.objects.filter(
            division_code__in=codes,
            metric__in=metrics,
            key="",
            period_start__gte=start,
            period_start__lt=end,
        )
        .values_list("division_code", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for code, metric, total in rows:
        result[code][metric] = int(total or 0)
    return result


def by_key(code: str, metrics: list[str], period: Period) -> dict[str, dict[str, int]]:
    """{metric: {key: total}} for one jurisdiction (e.g. requests due by type)."""
    result: dict[str, dict[str, int]] = {m: defaultdict(int) for m in metrics}
    rows = (
        StatCounter.objects.filter(
            division_code=code,
            metric__in=metrics,
            period_start__gte=period.start,
            period_start__lt=period.end,
        )
        .exclude(key="")
        .values_list("metric", "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for metric, key, total in rows:
        result[metric][key] = int(total or 0)
    return result


def figures_for(
    place: Place, period: Period, rates: list[Rate] | None = None, targets=None
) -> list[Figure]:
    rates = RATES if rates is None else rates
    targets = targets_for(place.code) if targets is None else targets
    values = rate_values([place.code], rates, period)[place.code]
    return _figures(rates, values, targets, period)


@dataclass
class Row:
    place: Place
    figures: list[Figure] = field(default_factory=list)

    def figure(self, code: str) -> Figure | None:
        return next((f for f in self.figures if f.rate.code == code), None)


def children_rows(
    place: Place, period: Period, rates: list[Rate] | None = None, book: TargetBook | None = None
) -> list[Row]:
    """Every child jurisdiction with every rate: one counters query for all of them."""
    rates = RATES if rates is None else rates
    children = children_of(place)
    values = rate_values([c.code for c in children], rates, period)
    book = book or TargetBook()
    return [
        Row(child, _figures(rates, values[child.code], book.for_code(child.code), period))
        for child in children
    ]


def trend(place: Place, rate: Rate, months: list[dt.date], targets=None) -> list[tuple]:
    """(month, Figure) for each month: one query."""
    targets = targets_for(place.code) if targets is None else targets
    target = target_of(rate, targets)
    values = monthly([place.code], rate, months)
    return [(m, Figure(rate, *values[m], target)) for m in months]


def stocks(code: str, metrics: list[str]) -> dict[str, int]:
    """{metric: total} over every month for one jurisdiction: a count of what stands now
    (open registrations, awaiting requests) kept as monthly flows, read in one query."""
    totals = dict(
        StatCounter.objects.filter(division_code=code, metric__in=metrics, key="")
        .values_list("metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {m: int(totals.get(m) or 0) for m in metrics}


def open_registrations(code: str) -> dict[str, int]:
    """{"inflow": n, "outflow": m}: the open registrations of the units under code (who lives
    here now from elsewhere, who comes from here), from the counters: a sum over the months
    they were received in, at any size (the registry's COUNT took seconds at 10M persons)."""
    open_ = stocks(code, ["reg_in.open", "reg_out.open"])
    return {"inflow": open_["reg_in.open"], "outflow": open_["reg_out.open"]}


def awaiting_count(code: str) -> int:
    """Requests the units under code still owe an answer to, from the counters: the same number
    as exchange.selectors.inbox_count at any size (a sum over the months they fall due in)."""
    return stocks(code, ["req.awaiting"])["req.awaiting"]


# --- drill-down -------------------------------------------------------------------------------

PARTS = ("numerator", "denominator", "gap")


class DrillInvalid(ValueError):
    """A drill-down that names no rate part or metric."""


@dataclass(frozen=True)
class Drill:
    subject: str  # person or request
    rows: object  # a QuerySet of the family's rows (registrations, requests ...), visible
    metric: str
    label: str
    family: object = None
    # A year measure's rows carry `counted_on`: the day the numerator counted them, if it did.
    counted_on_label: str = ""
    # How many rows there are, when the counters already say (a user who sees every row).
    total: int | None = None

    @property
    def is_registration(self) -> bool:
        return self.family is not None and self.family.model_label == "people.Registration"

    def person_of(self, row):
        from yipanqi.ledger.families import walk

        return walk(row, self.family.person_path)

    def day_of(self, row):
        from yipanqi.ledger.families import walk

        return walk(row, self.family.month_field)


def _field_at(model, path: str):
    """The model field a lookup path ends on ("registration__arrival_date": the date)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def _month_bounds(family, period: Period) -> Q:
    name = family.month_field
    if family.month_is_text:
        return Q(**{f"{name}__gte": f"{period.start:%Y-%m}", f"{name}__lt": f"{period.end:%Y-%m}"})
    if family.month_expression is not None:  # an annotation: the first day of a month
        return Q(**{f"{name}__gte": period.start, f"{name}__lt": period.end})
    if _field_at(family.model, name).get_internal_type() == "DateTimeField":
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(period.end, dt.time.min, tzinfo=tz)
        return Q(**{f"{name}__gte": start, f"{name}__lt": end})
    return Q(**{f"{name}__gte": period.start, f"{name}__lt": period.end})


def metric_rows(metric: str, place: Place, period: Period, *, key: str = "", negate: str = ""):
    """The raw rows counted by `metric` for the place and period (all of them, unscoped);
    with negate=<metric>, those of `metric` not counted by the other (the gap)."""
    family = family_of_metric(metric)
    rows = family.queryset().filter(count_of(metric).q).filter(_month_bounds(family, period))
    if place.code:
        rows = rows.filter(within_q(family.division, place.code))
    if key and family.key_field:
        rows = rows.filter(**{f"{family.key_field}__in": key.split(",")})
    if negate:
        other = family_of_metric(negate)
        if other is family:
            rows = rows.exclude(count_of(negate).q)
        else:
            _other, counted = metric_rows(negate, place, period, key=key)
            rows = rows.exclude(pk__in=counted.values(other.part_of or "pk"))
    return family, rows


def drill(
    user,
    place: Place,
    period: Period,
    *,
    rate: str = "",
    part: str = "",
    metric: str = "",
    key: str = "",
    minus: str = "",
) -> Drill:
    """The rows behind one number, limited to what the user may see (R-ACC-2, P3): a rate's
    numerator, denominator or gap, or a metric (by key) less another one of the same rows."""
    negate = minus
    label = ""
    if rate:
        found = rate_by_code(rate)
        if found is None or part not in PARTS or (part == "gap" and found.kind != "percent"):
            raise DrillInvalid(rate)
        if found.window == "year":
            return _year_drill(user, place, period, found, part)
        if part == "numerator":
            metric, label = found.numerator, str(found.numerator_label)
        elif part == "denominator":
            metric, label = found.denominator, str(found.denominator_label)
        else:
            metric, negate, label = found.denominator, found.numerator, str(found.gap_label)
    try:
        other = family_of_metric(negate) if negate else None
        if other is not None and other is not family_of_metric(metric) and not other.part_of:
            raise KeyError(negate)
        family, rows = metric_rows(metric, place, period, key=key, negate=negate)
    except KeyError:
        raise DrillInvalid(metric) from None
    # Every counted model has the one scope rule of its app: visible_to(user) (R-ACC-2),
    # applied to the counted rows themselves so that the database walks them in page order.
    visible = rows.visible_to(user)
    if family.subject == "request":
        # Newest first, like the persons: the primary key is the one order every page can
        # walk (no index orders a nation's requests by due date; sorting a million is slow).
        visible = visible.select_related("sender", "receiver").order_by("-pk")
    elif family.subject == "feed":
        visible = visible.select_related("unit").order_by("-period", "pk")
    else:
        related = [family.person_path]
        if family.model_label == "people.Registration":
            related += ["home", "residence"]
        visible = visible.select_related(*related).order_by("-pk")
    total = None
    # The counters give the number of rows when those rows are exactly what they count: one
    # family, less (for a gap) some of the same rows. A gap less another family's rows (her
    # registrations less those with a verification) is counted by the database.
    if _sees_everything(user) and (other is None or other is family):
        key = key if family.key_field else ""
        total = _metric_total(place, period, metric, key) - (
            _metric_total(place, period, negate, key) if negate else 0
        )
    return Drill(family.subject, visible, metric, label, family, total=total)


def _sees_everything(user) -> bool:
    """A national user sees every row behind a number: the counters give their number (the
    maintained counters equal the rows, `counters.check`), and no COUNT over millions runs."""
    return Scope.of(user).nation


def _rate_part(place: Place, period: Period, rate: Rate, part: str) -> int:
    """A year measure's figure (Rate.window): the numerator, the denominator or the gap."""
    numerator, denominator = rate_values([place.code], [rate], period)[place.code][rate.code]
    return {"numerator": numerator, "denominator": denominator}.get(part, denominator - numerator)


def _metric_total(place: Place, period: Period, metric: str, key: str) -> int:
    if not key:
        return sums([place.code], [metric], period.start, period.end)[place.code][metric]
    keyed = by_key(place.code, [metric], period)[metric]
    return sum(keyed.get(k, 0) for k in key.split(","))


def drill_page(found: Drill, number, per_page: int = 50):
    """One page of the rows behind a number; its count from the counters when they say."""
    from django.core.paginator import Paginator

    paginator = Paginator(found.rows, per_page)
    if found.total is not None:
        paginator.count = found.total  # a cached_property: set, it is not computed
    return paginator.get_page(number)


# The earliest month any counter can have (a stock is everything counted before a day).
_EVER = dt.date(1900, 1, 1)


def _year_drill(user, place: Place, period: Period, rate: Rate, part: str) -> Drill:
    """The stays behind a year measure (Rate.window "year"): those counted in the denominator
    from 1 January to the end of the period, those of them the numerator counted, or the rest;
    each with the day it was counted on (R-STAT-1 service coverage: her first free check-up)."""
    from django.db.models import Exists, OuterRef, Subquery

    first = dt.date(period.start.year, 1, 1)
    family, started = metric_rows(rate.denominator, place, Period("span", _EVER, period.end))
    ended_family = family_of_metric(rate.ended)
    if ended_family.model_label == family.model_label and ended_family.base == family.base:
        # The same stays, counted again in their last month: "not ended before 1 January" is
        # a condition on each row, so the database can walk them in page order.
        stays = started.annotate(
            **{ended_family.month_field: ended_family.month_expression()}
        ).filter(**{f"{ended_family.month_field}__gte": first})
    else:
        _ended, ended = metric_rows(rate.ended, place, Period("span", _EVER, first))
        stays = started.exclude(pk__in=ended.values("pk"))
    counting, counted = metric_rows(rate.numerator, place, Period("span", first, period.end))
    served = Exists(counted.filter(**{counting.part_of: OuterRef("pk")}))
    if part == "numerator":
        rows, label = stays.filter(served), rate.numerator_label
    elif part == "denominator":
        rows, label = stays, rate.denominator_label
    else:
        rows, label = stays.filter(~served), rate.gap_label
    on = counted.filter(**{counting.part_of: OuterRef("pk")}).order_by(counting.month_field)
    visible = (
        rows.visible_to(user)
        .annotate(counted_on=Subquery(on.values(counting.month_field)[:1]))
        .select_related(family.person_path, "home", "residence")
        .order_by("-pk")
    )
    metric = rate.numerator if part == "numerator" else rate.denominator
    total = _rate_part(place, period, rate, part) if _sees_everything(user) else None
    return Drill(
        family.subject, visible, metric, str(label), family, str(rate.counted_on_label), total
    )


STATISTICS = gettext_lazy("Statistics counters")


def export_statistics(user, params: dict, *, full: bool, origin=None):
    """The counters in the user's subtree (or a part of it) as an export (issue 5; written out
    by core.exports)."""
    from yipanqi.core.errors import Rejected
    from yipanqi.core.exports import Export
    from yipanqi.divisions.models import Division

    scope = Scope.of(user)
    qs = scope.filter(StatCounter.objects.all(), "division_code")
    within = (params.get("within") or "").strip()
    if within:
        if not within.isdigit() or not scope.covers(within):
            raise Rejected.because(_("This jurisdiction is outside your own."))
        qs = qs.filter(division_code__startswith=within)
    header = [_("Code"), _("Jurisdiction"), _("Metric"), _("Key"), _("Month"), _("Value")]

    def rows():
        names: dict[str, str] = {"": _("Nation")}
        for c in qs.order_by("division_code", "metric", "period_start", "key").iterator(
            chunk_size=5000
        ):
            if c.division_code not in names:
                names[c.division_code] = (
                    Division.objects.filter(pk=c.division_code)
                    .values_list("path_name", flat=True)
                    .first()
                    or c.division_code
                )
            yield [
                c.division_code,
                names[c.division_code],
                c.metric,
                c.key,
                c.period_start.strftime("%Y-%m"),
                c.value,
            ]

    return Export("statistics", STATISTICS, header, rows(), "statistics")
