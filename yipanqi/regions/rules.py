"""Which parameters apply to a pair of jurisdictions (R-REG-2), and revising them (R-REG-1)."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import Role, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import Rejected
from yipanqi.regions.models import Region, RegionKind, RuleSet
from yipanqi.workdays.services import add_working_days, local_date

PROVINCE_NAMES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip

NATIONAL_CODE = "national"


# The answer deadlines a rule set names, with their labels, in the order the rules pages show
# them. The app whose requests they time registers them at start-up (exchange: its request
# types), so regions knows no request model. Workflow steps that are no request: STEP_DEADLINES.
_DEADLINE_KINDS: dict[str, Callable[[], Iterable[tuple[str, str]]]] = {}


def register_deadline_kinds(app_label: str, choices: Callable[[], Iterable[tuple[str, str]]]):
    """`choices()` gives the (key, label) pairs a rule set's `deadlines` may hold (R-REG-1)."""
    _DEADLINE_KINDS[app_label] = choices


def deadline_kinds() -> list[tuple[str, str]]:
    """Every registered deadline key with its label, in registration order."""
    return [pair for choices in _DEADLINE_KINDS.values() for pair in choices()]


class RulesMissing(Exception):
    """No rule set is effective on the date (the national default was not seeded)."""


@dataclass(frozen=True)
class RuleChoice:
    """The rule set for a request and, in words, why (stored on the request)."""

    rule_set: RuleSet
    reason: str
    basis: str  # same_province, region, regions_strictest, national


def province_name(code: str) -> str:
    return PROVINCE_NAMES.get(code[:2], code[:2])


def current_rule_sets(regions, on: dt.date) -> dict[int, RuleSet]:
    """The rule set effective on a day for each region that has one."""
    chosen: dict[int, RuleSet] = {}
    rows = RuleSet.objects.filter(region__in=regions, effective_from__lte=on).select_related(
        "region"
    )
    for rule_set in rows.order_by("region_id", "-effective_from", "-id"):
        chosen.setdefault(rule_set.region_id, rule_set)
    return chosen


def _deadline_key(rule_set: RuleSet, request_type: str | None):
    if request_type is not None:
        days = rule_set.deadline_for(request_type)
        return (days if days is not None else 10_000, rule_set.region_id)
    return (sorted(int(v) for v in rule_set.deadlines.values()), rule_set.region_id)


def pick_rules(
    sender_code: str, receiver_code: str, on: dt.date, request_type: str | None = None
) -> RuleChoice:
    """R-REG-2: the province's own parameters within a province; else the strictest region
    covering both provinces (shortest deadline for request_type); else the national default.

    A province without its own parameters falls through to its regions, then the nation.
    """
    p1, p2 = sender_code[:2], receiver_code[:2]
    regions = list(Region.objects.all())
    sets = current_rule_sets(regions, on)
    if p1 == p2:
        own = [r for r in regions if r.kind == RegionKind.PROVINCE and r.provinces == [p1]]
        for region in own:
            if region.pk in sets:
                return RuleChoice(
                    sets[region.pk],
                    _("same province %(province)s") % {"province": province_name(p1)},
                    "same_province",
                )
    covering = [
        sets[r.pk]
        for r in regions
        if r.kind == RegionKind.REGION and r.pk in sets and r.covers(p1, p2)
    ]
    if len(covering) == 1:
        return RuleChoice(
            covering[0], _("region %(region)s") % {"region": covering[0].region.name}, "region"
        )
    if covering:
        best = min(covering, key=lambda s: _deadline_key(s, request_type))
        names = _(" and ").join(s.region.name for s in covering)
        days = best.deadline_for(request_type) if request_type else None
        if days is not None:
            reason = _("regions %(names)s, strictest %(region)s: %(days)s working days") % {
                "names": names,
                "region": best.region.name,
                "days": days,
            }
        else:
            reason = _("regions %(names)s, strictest %(region)s") % {
                "names": names,
                "region": best.region.name,
            }
        return RuleChoice(best, reason, "regions_strictest")
    national = [sets[r.pk] for r in regions if r.kind == RegionKind.NATIONAL and r.pk in sets]
    if not national:
        raise RulesMissing(on)
    return RuleChoice(national[0], _("national default"), "national")


STATUTORY_DEADLINE_DAYS = 15

# Workflow deadlines that are not one request type's own answer deadline, in working days, by
# key. A rule set may name its own value under the same key (R-REG-1); where none does, these
# statutory values apply. Every page and service reads them through `deadline_for` / `due_for`,
# so what a workflow page says and what is stored come from the one rule set (issue 12.4).
STEP_DEADLINES = {
    "birth_ask": 7,  # R-BIRTH-2 step 1: the residence village asks both home townships
    "birth_forward": 7,  # R-BIRTH-2 step 3: the village forwards after the last answer
    "birth_notice_further": 7,  # R-BIRTH-3: the home side notifies the residence (further child)
}


def deadline_days(choice: RuleChoice, request_type: str, on: dt.date) -> int:
    """The deadline for a type (or step key) from the chosen set, else the national default."""
    days = choice.rule_set.deadline_for(request_type)
    if days is not None:
        return days
    national = Region.objects.filter(kind=RegionKind.NATIONAL).first()
    fallback = current_rule_sets([national], on).get(national.pk) if national else None
    if fallback is None or fallback.deadline_for(request_type) is None:
        # R-EX-2: notifications and their answers are due within 15 working days; a type that no
        # rule set names yet gets that statutory default rather than an error page.
        return STEP_DEADLINES.get(request_type, STATUTORY_DEADLINE_DAYS)
    return fallback.deadline_for(request_type)


def deadline_for(key: str, sender_code: str, receiver_code: str, on: dt.date) -> int:
    """Working days for a request type or workflow step between two units (R-REG-2)."""
    return deadline_days(pick_rules(sender_code, receiver_code, on, key), key, on)


def due_for(key: str, sender_code: str, receiver_code: str, start: dt.datetime):
    """The due date of a step or request started at `start` (R-WD-1), with its day count."""
    days = deadline_for(key, sender_code, receiver_code, local_date(start))
    return add_working_days(start, days), days


# --- revising parameters (province administrators) ---------------------------------------------


def can_revise(user: User, region: Region) -> bool:
    """The national administrator revises any rule set; a province administrator its own
    province's, and a region's only when the province is that region's convenor (召集方,
    R-REG-1): the members agree, the convenor records it."""
    if user.role == Role.NATIONAL_ADMIN:
        return True
    if user.role != Role.PROVINCE_ADMIN or not user.jurisdiction_id:
        return False
    province = user.jurisdiction_id[:2]
    if region.kind == RegionKind.PROVINCE:
        return region.provinces == [province]
    if region.kind == RegionKind.REGION:
        return bool(region.convenor) and region.convenor == province
    return False


def editable_regions(user: User) -> list[Region]:
    return [r for r in Region.objects.all() if can_revise(user, r)]


def province_region(province_code: str) -> Region:
    """The region row holding one province's own parameters, created on first use."""
    region, _created = Region.objects.get_or_create(
        code=f"province-{province_code}",
        defaults={
            "name": province_name(province_code),
            "kind": RegionKind.PROVINCE,
            "provinces": [province_code],
            "convenor": province_code,
        },
    )
    return region


def revise_rules(
    region: Region,
    *,
    effective_from: dt.date,
    deadlines: dict[str, int],
    checkups_min_per_year: int | None = None,
    checkups_max_per_year: int | None = None,
    targets: dict[str, float] | None = None,
    note: str = "",
    certificate_long_term: bool | None = None,
    acting_user: User,
    origin: Origin | None = None,
) -> RuleSet:
    """A new version of a region's parameters (R-REG-1); earlier versions stay as history."""
    if not can_revise(acting_user, region):
        raise Rejected(
            {
                "__all__": [
                    _(
                        "Only the administrators of this region's convenor province, or the "
                        "national administrator, can change its rules."
                    )
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    clean = {}
    known = dict(deadline_kinds())
    for key, value in deadlines.items():
        if key not in known and key not in STEP_DEADLINES:
            errors.setdefault("deadlines", []).append(
                _("%(type)s is not a request type.") % {"type": key[:40]}
            )
        elif value is not None:
            if not 1 <= int(value) <= 120:
                errors.setdefault(key, []).append(_("A deadline is from 1 to 120 working days."))
            clean[key] = int(value)
    if (
        checkups_min_per_year is not None
        and checkups_max_per_year is not None
        and checkups_min_per_year > checkups_max_per_year
    ):
        errors.setdefault("checkups_max_per_year", []).append(
            _("The maximum cannot be below the minimum.")
        )
    if errors:
        raise Rejected(errors)
    if certificate_long_term is None:
        # R-CERT-2: a revision that does not mention it keeps the province's current grant.
        latest = region.rule_sets.order_by("-effective_from", "-id").first()
        certificate_long_term = bool(latest and latest.certificate_long_term)
    with transaction.atomic():
        rule_set = RuleSet.objects.create(
            region=region,
            effective_from=effective_from,
            deadlines=clean,
            checkups_min_per_year=checkups_min_per_year,
            checkups_max_per_year=checkups_max_per_year,
            targets=targets or {},
            certificate_long_term=certificate_long_term,
            note=note[:300],
            created_at=timezone.now(),
            created_by=acting_user,
        )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="ruleset",
            object_id=rule_set.pk,
            detail={"region": region.code, "effective_from": effective_from.isoformat()},
        )
    return rule_set
