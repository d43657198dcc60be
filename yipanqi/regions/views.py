"""The regions and their rule sets: the list with the deadlines in force, one region's versions,
and a new version (R-REG-1). Views parse, authorize, call one service and render; the rules live
in rules.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from yipanqi.core.casework import require_casework, web_origin
from yipanqi.core.errors import refused_on
from yipanqi.regions import rules
from yipanqi.regions.forms import RuleSetForm
from yipanqi.regions.models import Region


def _deadlines(rule_set) -> list:
    """A rule set's deadlines in the order of the request types (for table columns)."""
    if rule_set is None:
        return []
    return [rule_set.deadlines.get(value, "—") for value, _label in rules.deadline_kinds()]


@never_cache
@login_required
def rule_sets(request):
    require_casework(request)
    regions = list(Region.objects.all())
    current = rules.current_rule_sets(regions, timezone.localdate())
    return render(
        request,
        "regions/rules.html",
        {
            "rows": [
                (
                    r,
                    current.get(r.pk),
                    rules.can_revise(request.user, r),
                    _deadlines(current.get(r.pk)),
                )
                for r in regions
            ],
            "types": rules.deadline_kinds(),
            "own_province": request.user.jurisdiction_id[:2]
            if request.user.role == "province_admin" and request.user.jurisdiction_id
            else "",
        },
    )


@never_cache
@login_required
def region(request, code: str):
    require_casework(request)
    user = request.user
    own = f"province-{(user.jurisdiction_id or '')[:2]}"
    if user.role == "province_admin" and code == own:
        # A province's own parameters start the first time its administrator opens them.
        rules.province_region(code.removeprefix("province-"))
    item = get_object_or_404(Region, code=code)
    editable = rules.can_revise(user, item)
    history = item.rule_sets.select_related("created_by").order_by("-effective_from", "-id")
    if request.method == "POST":
        if not editable:
            raise Http404
        form = RuleSetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with refused_on(form):
                rules.revise_rules(
                    item,
                    effective_from=data["effective_from"],
                    deadlines=form.deadlines(),
                    checkups_min_per_year=data["checkups_min_per_year"],
                    checkups_max_per_year=data["checkups_max_per_year"],
                    note=data["note"],
                    acting_user=user,
                    origin=web_origin(request),
                )
                messages.success(request, _("Saved as a new version; earlier versions stay."))
                return redirect("regions:region", item.code)
    else:
        latest = history.first()
        initial = {"effective_from": timezone.localdate()}
        if latest:
            initial.update(
                checkups_min_per_year=latest.checkups_min_per_year,
                checkups_max_per_year=latest.checkups_max_per_year,
                **{f"deadline_{k}": v for k, v in latest.deadlines.items()},
            )
        form = RuleSetForm(initial=initial)
    return render(
        request,
        "regions/region.html",
        {
            "region": item,
            "history": [(rule_set, _deadlines(rule_set)) for rule_set in history],
            "types": rules.deadline_kinds(),
            "form": form if editable else None,
            "provinces": [rules.province_name(p) for p in item.provinces],
            "convenor": rules.province_name(item.convenor) if item.convenor else "",
        },
    )
