"""The rates of R-STAT-1 (and the sex ratio of R-STAT-5): each a numerator metric over a
denominator metric, a side that answers for it, and where its target comes from."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Side:
    HOME = "home"
    RESIDENCE = "residence"
    BOTH = "both"


@dataclass(frozen=True)
class Rate:
    code: str
    label: str | Promise
    numerator: str
    denominator: str
    side: str
    rule: str
    # The rule set's `targets` key (R-REG-1); a fixed target where the spec sets one instead.
    target_key: str | None = None
    fixed_target: float | None = None
    # "percent": numerator / denominator x 100. "ratio": boys per 100 girls, with a band.
    kind: str = "percent"
    band: tuple[float, float] | None = None
    numerator_label: str | Promise = ""
    denominator_label: str | Promise = ""
    gap_label: str | Promise = ""
    # "period": both metrics summed over the period's months. "year": a year measure over
    # distinct stays, read from 1 January to the end of the period (a quarter or a month shows
    # the year so far): the numerator summed over those months, the denominator a stock (every
    # `denominator` counted before the end of the period less every `ended` counted before
    # 1 January).
    window: str = "period"
    ended: str = ""
    # The drill-down's column for the day the numerator counted a row of a year measure.
    counted_on_label: str | Promise = ""
    # The setting naming the smallest numerator + denominator judged against the band or
    # target; below it the figure is shown but not judged (R-STAT-5).
    min_sample_setting: str = ""

    @property
    def min_sample(self) -> int:
        from django.conf import settings

        return int(getattr(settings, self.min_sample_setting, 0)) if self.min_sample_setting else 0


RATES: list[Rate] = [
    Rate(
        code="registration_inflow",
        label=_("Inflow registration timeliness"),
        numerator="reg_in.in_time",
        denominator="reg_in.total",
        side=Side.RESIDENCE,
        rule="R-STAT-1, R-REGN-1",
        numerator_label=_("recorded within 5 working days"),
        denominator_label=_("inflow registrations"),
        gap_label=_("recorded late"),
    ),
    Rate(
        code="registration_outflow",
        label=_("Outflow registration timeliness"),
        numerator="reg_out.in_time",
        denominator="reg_out.total",
        side=Side.HOME,
        rule="R-STAT-1, R-REGN-1",
        numerator_label=_("recorded within 5 working days"),
        denominator_label=_("outflow registrations"),
        gap_label=_("recorded late"),
    ),
    Rate(
        code="served_30_days",
        label=_("Registered within 30 days of arrival"),
        numerator="reg_in.served30",
        denominator="reg_in.total",
        side=Side.RESIDENCE,
        rule="R-REGN-5",
        numerator_label=_("registered within 30 days"),
        denominator_label=_("inflow registrations"),
        gap_label=_("lived here more than 30 days unregistered"),
    ),
    Rate(
        code="timeliness",
        label=_("Requests answered on time"),
        numerator="req.on_time",
        denominator="req.due",
        side=Side.BOTH,
        rule="R-STAT-1, R-EX-3",
        target_key="timeliness",
        numerator_label=_("answered by the due date"),
        denominator_label=_("requests due"),
        gap_label=_("answered late or not at all"),
    ),
]


RATES += [
    Rate(
        code="certificate_rate",
        label=_("Certificate issuance rate"),
        numerator="reg_out.women_certified",
        denominator="reg_out.women",
        side=Side.HOME,
        rule="R-STAT-1, R-CERT-1",
        target_key="certificate_rate",
        numerator_label=_("with a valid certificate"),
        denominator_label=_("outflow women"),
        gap_label=_("without a valid certificate"),
    ),
    Rate(
        code="verification_rate",
        label=_("Verification rate"),
        numerator="ver.arrival_on_time",
        denominator="reg_in.women",
        side=Side.RESIDENCE,
        rule="R-STAT-1, R-CERT-3",
        target_key="verification_rate",
        numerator_label=_("verified within 30 days of arrival"),
        denominator_label=_("inflow women"),
        gap_label=_("not verified within 30 days"),
    ),
    Rate(
        code="service_coverage",
        label=_("Service coverage (free check-ups)"),
        numerator="cov.checked",
        denominator="cov.women",
        ended="cov.ended",
        window="year",
        side=Side.RESIDENCE,
        rule="R-STAT-1, R-SVC-1",
        target_key="service_coverage",
        numerator_label=_("married women 18–49 with a free check-up this year"),
        denominator_label=_("married women 18–49 living here this year"),
        gap_label=_("without a free check-up this year"),
        counted_on_label=_("First free check-up of the year"),
    ),
    Rate(
        code="free_service_rate",
        label=_("Free-service rate"),
        numerator="svc.free",
        denominator="svc.basic",
        side=Side.RESIDENCE,
        rule="R-STAT-1, R-SVC-1",
        target_key="free_service_rate",
        numerator_label=_("basic services given free"),
        denominator_label=_("basic services"),
        gap_label=_("charged (a rights violation)"),
    ),
    Rate(
        code="sex_ratio",
        label=_("Sex ratio at birth"),
        numerator="birth.male",
        denominator="birth.female",
        side=Side.BOTH,
        rule="R-STAT-5",
        kind="ratio",
        band=(103.0, 107.0),
        # R-STAT-5: not judged from a handful of births (settings.SEX_RATIO_MIN_BIRTHS).
        min_sample_setting="SEX_RATIO_MIN_BIRTHS",
        numerator_label=_("boys born"),
        denominator_label=_("girls born"),
    ),
]


RATES += [
    Rate(
        code="feed_timeliness",
        label=_("Department feed timeliness"),
        numerator="feed.on_time",
        denominator="feed.reports",
        side=Side.BOTH,
        rule="R-FEED-1",
        fixed_target=95.0,
        numerator_label=_("reports by the 3rd of the month"),
        denominator_label=_("monthly reports received"),
        gap_label=_("reports received late"),
    ),
    Rate(
        code="zero_reports",
        label=_("Zero reports (nothing new)"),
        numerator="feed.zero",
        denominator="feed.reports",
        side=Side.BOTH,
        rule="R-FEED-1",
        numerator_label=_("zero reports"),
        denominator_label=_("monthly reports received"),
        gap_label=_("reports with records"),
    ),
]


def register_rate(rate: Rate, *, after: str | None = None) -> None:
    """Add a rate of a later app; idempotent by code."""
    if any(r.code == rate.code for r in RATES):
        return
    if after is not None:
        for index, existing in enumerate(RATES):
            if existing.code == after:
                RATES.insert(index + 1, rate)
                return
    RATES.append(rate)


def rate_by_code(code: str) -> Rate | None:
    return next((r for r in RATES if r.code == code), None)
