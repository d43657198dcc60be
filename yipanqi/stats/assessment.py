"""The two-way assessment (双向考核, R-STAT-2): each side scored from the records the other side
sent and received, with responsibility attributed per Jiangsu norms art. 39–41.

Every count is a sum of counters (so a province's card costs a few queries at any size) and
carries the drill-down query that lists the rows behind it, so either side can check a
disputed "late" or "not received".
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yipanqi.stats import selectors
from yipanqi.stats.periods import Period
from yipanqi.stats.rates import rate_by_code
from yipanqi.stats.selectors import Place

# Who answers a request of each type (R-EX-2, R-CERT, R-BIRTH): the home side answers what the
# residence sends it, the residence what the home side sends it; a case co-investigation
# (R-EX-4) or a general notification is owed by whichever side received it.
HOME_ANSWERS = {
    "no_certificate_notice",
    "service_report",
    "certificate_change",
    "birth_confirmation",
    "birth_report",
    "departure_notice",
}
RESIDENCE_ANSWERS = {"certificate_notice", "birth_notice"}
# Complaint categories and the side that answers for them (art. 39: certificates refused,
# delayed or conditional, charges, demands to come home; art. 40: free services not given or
# charged).
HOME_COMPLAINTS = {
    "certificate_refused",
    "certificate_delayed",
    "certificate_conditional",
    "told_to_return_home",
}
RESIDENCE_COMPLAINTS = {"charged_free_service", "service_not_given"}


@dataclass
class Item:
    """One line of the scorecard: failures out of cases, with the rows behind each."""

    label: str | Promise
    article: str
    failures: int
    cases: int | None  # None: a plain count with no denominator (complaints)
    drill: str  # query string for /stats/drill/
    drill_cases: str = ""

    @property
    def compliance(self) -> float | None:
        if not self.cases:
            return None
        return 100.0 * (self.cases - self.failures) / self.cases


@dataclass
class Section:
    side: str
    title: str | Promise
    items: list[Item] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """The mean compliance of the items that had cases (100 = nothing failed)."""
        rated = [i.compliance for i in self.items if i.compliance is not None]
        penalties = sum(i.failures for i in self.items if i.cases is None)
        if not rated and not penalties:
            return None
        base = sum(rated) / len(rated) if rated else 100.0
        # Each complaint the side answers for costs one point (art. 39-41 count them).
        return max(0.0, base - penalties)


@dataclass
class Scorecard:
    place: Place
    period: Period
    sections: list[Section]
    requests_by_type: list[dict]


METRICS = [
    "reg_in.total",
    "reg_in.in_time",
    "reg_in.served30",
    "reg_in.women",
    "ver.arrival_on_time",
    "reg_out.total",
    "reg_out.in_time",
    "reg_out.women",
    "reg_out.women_certified",
    "svc.basic",
    "svc.free",
    "req.due",
    "req.on_time",
    "req.answered",
    "req.escalated",
    "req.sent",
    "grv.received",
]


def _q(place: Place, period: Period, **params) -> str:
    from urllib.parse import urlencode

    return urlencode({"at": place.code, "period": period.code, **params})


def scorecard(place: Place, period: Period) -> Scorecard:
    """R-STAT-2 for one jurisdiction and a year or quarter (any period works)."""
    totals = selectors.sums([place.code], METRICS, period.start, period.end)[place.code]
    keyed = selectors.by_key(
        place.code,
        ["req.due", "req.on_time", "req.answered", "req.escalated", "grv.received"],
        period,
    )

    def t(metric):
        return totals.get(metric, 0)

    def requests_item(types: set[str] | None, label, article, exclude: set[str] = frozenset()):
        chosen = [
            k
            for k in keyed["req.due"]
            if (types is None and k not in exclude) or (types is not None and k in types)
        ]
        due = sum(keyed["req.due"][k] for k in chosen)
        on_time = sum(keyed["req.on_time"].get(k, 0) for k in chosen)
        keys = ",".join(sorted(chosen))
        return Item(
            label,
            article,
            due - on_time,
            due,
            _q(place, period, metric="req.due", minus="req.on_time", key=keys) if keys else "",
            _q(place, period, metric="req.due", key=keys) if keys else "",
        )

    def rate_item(label, article, code: str, figures=None):
        """A rate's gap: what its denominator counts and its numerator does not (a year
        measure's from its figures)."""
        if figures is None:
            rate = rate_by_code(code)
            gap, denominator = t(rate.denominator) - t(rate.numerator), t(rate.denominator)
        else:
            gap, denominator = figures.gap, figures.denominator
        return Item(
            label,
            article,
            gap,
            denominator,
            _q(place, period, rate=code, part="gap"),
            _q(place, period, rate=code, part="denominator"),
        )

    def complaints_item(categories: set[str], label, article):
        count = sum(v for k, v in keyed["grv.received"].items() if k in categories)
        keys = ",".join(sorted(k for k in keyed["grv.received"] if k in categories))
        return Item(
            label,
            article,
            count,
            None,
            _q(place, period, metric="grv.received", key=keys) if keys else "",
        )

    # R-STAT-1 service coverage, a year measure (from 1 January to the end of the period).
    (coverage,) = selectors.figures_for(place, period, [rate_by_code("service_coverage")], {})
    home = Section("home", _("As the home side (户籍地), art. 39"))
    home.items = [
        rate_item(
            _("Outflow registrations not recorded within 5 working days"),
            "R-REGN-1",
            "registration_outflow",
        ),
        requests_item(
            HOME_ANSWERS, _("Requests from the residence answered late or not at all"), "R-EX-2"
        ),
        rate_item(_("Outflow women without a valid certificate"), "R-CERT-1", "certificate_rate"),
        complaints_item(
            HOME_COMPLAINTS,
            _("Complaints: certificate refused, delayed or made conditional; told to come home"),
            "R-GRV-1",
        ),
    ]
    residence = Section("residence", _("As the residence (现居住地), art. 40"))
    residence.items = [
        rate_item(
            _("Inflow registrations not recorded within 5 working days"),
            "R-REGN-1",
            "registration_inflow",
        ),
        rate_item(
            _("Persons living here more than 30 days before registration"),
            "R-REGN-5",
            "served_30_days",
        ),
        rate_item(
            _("Inflow women whose certificate was not verified within 30 days"),
            "R-CERT-3",
            "verification_rate",
        ),
        requests_item(
            RESIDENCE_ANSWERS,
            _("Requests from the home side answered late or not at all"),
            "R-EX-2",
        ),
        rate_item(_("Basic free services recorded with a charge"), "R-SVC-1", "free_service_rate"),
        rate_item(
            _("Married women aged 18–49 living here without a free check-up this year"),
            "R-SVC-1",
            "service_coverage",
            coverage,
        ),
        complaints_item(
            RESIDENCE_COMPLAINTS,
            _("Complaints: charged for a free service, free service not given"),
            "R-GRV-1",
        ),
    ]
    both = Section("both", _("Both sides, each for its part, art. 41"))
    both.items = [
        requests_item(
            None,
            _("Case co-investigations and notifications received, answered late or not at all"),
            "R-EX-4",
            exclude=HOME_ANSWERS | RESIDENCE_ANSWERS,
        ),
        Item(
            _("Requests received that had to be escalated to the common higher level"),
            "R-EX-3",
            t("req.escalated"),
            t("req.due"),
            _q(place, period, metric="req.escalated"),
            _q(place, period, metric="req.due"),
        ),
    ]
    by_type = defaultdict(dict)
    for metric in ("req.due", "req.on_time", "req.answered", "req.escalated"):
        for key, value in keyed[metric].items():
            by_type[key][metric] = value
    rows = []
    for key in sorted(by_type):
        values = by_type[key]
        side = (
            "home" if key in HOME_ANSWERS else "residence" if key in RESIDENCE_ANSWERS else "both"
        )
        rows.append(
            {
                "type": key,
                "label": _type_label(key),
                "side": side,
                "due": values.get("req.due", 0),
                "on_time": values.get("req.on_time", 0),
                "late": values.get("req.due", 0) - values.get("req.on_time", 0),
                "escalated": values.get("req.escalated", 0),
                "drill_late": _q(place, period, metric="req.due", minus="req.on_time", key=key),
            }
        )
    return Scorecard(place, period, [home, residence, both], rows)


def _type_label(key: str) -> str:
    from yipanqi.exchange.models import RequestType

    return str(RequestType(key).label) if key in RequestType.values else key
