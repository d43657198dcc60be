"""The shell's home page: the to-do list, the counters and the recent persons."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from yipanqi.core.paging import paginate
from yipanqi.divisions.scope import Scope
from yipanqi.emergency import services as emergency
from yipanqi.people import services as people
from yipanqi.stats.selectors import open_registrations
from yipanqi.web.todo import KINDS, todo_list


@never_cache
@login_required
def home(request):
    user = request.user
    scope = Scope.of(user)
    todo = todo_list(user, timezone.localdate())
    context = {"jurisdiction": user.jurisdiction, "todo": todo}
    if todo is not None:
        # Issue 12.11: the unit's to-do list, most urgent first; ?todo=<kind> shows one kind.
        kind = request.GET.get("todo", "")
        items = [i for i in todo.items if i.kind == kind] if kind in todo.counts else todo.items
        context.update(
            todo=todo,
            todo_kind=kind if kind in todo.counts else "",
            todo_page=paginate(request, items, param="p"),
            todo_kinds=[(k, label, todo.counts[k]) for k, label in KINDS.items() if todo.counts[k]],
        )
    if not scope.none:
        # R-STAT-1 counters: the same numbers as counting the open registrations, at any size.
        context["counts"] = open_registrations(scope.code)
        context["recent"] = (
            people.Person.objects.visible_to(user)
            .select_related("home", "residence")
            .order_by("-updated_at", "-pk")[:10]
        )
    if user.role in emergency.REVIEWER_ROLES:
        context["emergency_reviews"] = emergency.count_to_review(user)  # issue 12.2
    return render(request, "web/home.html", context)
