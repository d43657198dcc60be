"""Inbox, outbox, request detail and actions. Views parse, authorize, call one service and
render; the rules live in services.py (the rule sets' pages are regions.views)."""

import functools
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yipanqi.core.casework import post_on_page, require_casework, succeeded, web_origin
from yipanqi.core.errors import refusals, refused_in_messages, refused_on
from yipanqi.core.paging import by_urgency, paginate
from yipanqi.divisions.scope import Scope
from yipanqi.exchange import coordination, hooks, payloads, selectors, services
from yipanqi.exchange.answers import answers_for
from yipanqi.exchange.forms import (
    AnswerForm,
    AssignForm,
    DecideForm,
    EscalateForm,
    FilterForm,
    NewRequestForm,
    RescheduleForm,
)
from yipanqi.exchange.models import RequestType


@never_cache
@login_required
def box(request, box):
    if box not in selectors.BOXES:
        raise Http404
    require_casework(request)
    form = FilterForm(request.GET or None)
    filters = selectors.Filters()
    if form.is_valid():
        filters = selectors.Filters(**form.cleaned_data)
    today = timezone.localdate()
    # Issue 12.12: what is still on time, soonest due first, then the overdue, newest first.
    rows = by_urgency(selectors.list_requests(request.user, box, filters), "due_on", today)
    page = paginate(request, rows)
    rows = [(r, *_left_and_late(selectors.days_left(r, today))) for r in page.object_list]
    titles = {
        "inbox": _("Inbox: what we owe"),
        "outbox": _("Outbox: what others owe us"),
        "overdue": _("Overdue in my area"),
    }
    return render(
        request,
        "exchange/box.html",
        {
            "box": box,
            "title": titles[box],
            "form": form,
            "page": page,
            "rows": rows,
            "coordination_count": coordination.coordination_count(request.user),
            "lost_contact": paginate(
                request, selectors.lost_contact_for(request.user), param="lost"
            )
            if box == "inbox"
            else None,
        },
    )


def _left_and_late(left: int | None) -> tuple[int | None, int | None]:
    """Working days left, and working days overdue (positive) when past due."""
    return left, (-left if left is not None and left < 0 else None)


def _detail_context(request, item, **forms):
    user = request.user
    left, late = _left_and_late(selectors.days_left(item))
    return {
        "item": item,
        "described": payloads.describe(item, user),
        "left": left,
        "late": late,
        "events": item.events.select_related("actor", "unit"),
        "persons": item.persons.filter(pk__in=hooks.person_lookups().visible(user).values("pk")),
        "may_answer": may_answer(user, item),
        "may_escalate": services.may_escalate(user, item),
        "may_close": services.may_close(user, item),
        "escalation_target": services.common_ancestor(item.sender_id, item.receiver_id),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        **_coordination_context(user, item, forms),
        # One tap answers for a village worker on a phone, only those that fit this kind.
        "quick_answers": answers_for(item.type),
    }


def may_answer(user, item) -> bool:
    """The receiver's canned answers are not the coordinator's: the higher level that holds an
    escalated request coordinates it (R-EX-3) rather than answering as its township."""
    if coordination.may_coordinate(user, item) and user.jurisdiction_id != item.receiver_id:
        return False
    return services.may_answer(user, item)


def _assign_choices(item) -> list[tuple[str, str]]:
    sides = {item.sender_id: _("the sender"), item.receiver_id: _("the receiver")}
    return [
        (d.code, f"{d} ({sides[d.code]})" if d.code in sides else str(d))
        for d in coordination.assign_choices(item)
    ]


def _coordination_context(user, item, forms) -> dict:
    """R-EX-3: the higher level's actions on an escalated request it coordinates."""
    if not coordination.may_coordinate(user, item):
        return {"may_coordinate": False}
    holder = item.coordinating_code
    return {
        "may_coordinate": True,
        "coordinating_unit": item.coordinator or item.escalated_to,
        "coordinating_nation": holder == "",
        "decide_form": forms.get("decide_form") or DecideForm(initial={"working_days": 5}),
        "reschedule_form": forms.get("reschedule_form") or RescheduleForm(),
        "assign_form": forms.get("assign_form") or AssignForm(choices=_assign_choices(item)),
    }


@never_cache
@login_required
def coordination_list(request):
    """R-EX-3 上级协调: the escalated requests this unit coordinates, most urgent first."""
    require_casework(request)
    page = paginate(request, coordination.list_coordination(request.user))
    today = timezone.localdate()
    rows = [(r, None, working_days_late(r, today) or None) for r in page.object_list]
    return render(request, "exchange/coordination.html", {"page": page, "rows": rows})


def working_days_late(item, today) -> int:
    """Working days past the due date (0 when not yet due)."""
    from yipanqi.workdays.services import working_days_left

    return max(0, -working_days_left(item.due_on, today).days)


def _page(request, item, status: int = 200, **forms):
    """The request's page, with any forms that were not accepted."""
    context = _detail_context(request, item, **forms)
    return render(request, "exchange/detail.html", context, status=status)


def _post(request, pk: int, form_class, name: str, service, done):
    """A form posted on the request's page (again with it as a 400 when not accepted)."""
    require_casework(request)
    item = services.access_request(request.user, pk)
    return post_on_page(request, item, form_class, name, service, done, page=_page, status=400)


def _coordinate(request, pk: int, form_class, name: str, act, success: str, form_kwargs=None):
    """Parse one coordination form, call its service, and show the request again."""
    require_casework(request)
    item = services.access_request(request.user, pk)
    if form_kwargs:
        form_class = functools.partial(form_class, **form_kwargs(item))

    def done(item, _result):
        messages.success(request, success)
        if coordination.list_coordination(request.user).filter(pk=item.pk).exists():
            return redirect("exchange:detail", item.pk)
        return redirect("exchange:coordination")

    return post_on_page(request, item, form_class, name, act, done, page=_page, status=400)


@require_POST
@login_required
@refusals
def decide(request, pk: int):
    return _coordinate(
        request,
        pk,
        DecideForm,
        "decide_form",
        coordination.decide_request,
        _("Decision recorded; both sides see it."),
    )


@require_POST
@login_required
@refusals
def reschedule(request, pk: int):
    return _coordinate(
        request,
        pk,
        RescheduleForm,
        "reschedule_form",
        coordination.reschedule_request,
        _("New due date set; the receiver answers by it."),
    )


@require_POST
@login_required
@refusals
def assign(request, pk: int):
    return _coordinate(
        request,
        pk,
        AssignForm,
        "assign_form",
        coordination.assign_request,
        _("Assigned; that unit now coordinates the request."),
        form_kwargs=lambda item: {"choices": _assign_choices(item)},
    )


@never_cache
@login_required
@refusals
def detail(request, pk: int):
    require_casework(request)
    return _page(request, services.access_request(request.user, pk))


@require_POST
@login_required
@refusals
def answer(request, pk: int):
    def done(_item, _answered):
        message = _("Answered. The sender can see your answer now.")
        return succeeded(request, message, "exchange:box", "inbox")

    return _post(request, pk, AnswerForm, "answer_form", services.answer_request, done)


@require_POST
@login_required
@refusals
def escalate(request, pk: int):
    def done(item, _escalated):
        message = _("Escalated to the common higher level.")
        return succeeded(request, message, "exchange:detail", item.pk)

    return _post(request, pk, EscalateForm, "escalate_form", services.escalate_request, done)


@require_POST
@login_required
@refusals
def close(request, pk: int):
    require_casework(request)
    item = services.access_request(request.user, pk)
    with refused_in_messages(request):
        services.close_request(item.pk, acting_user=request.user, origin=web_origin(request))
        messages.success(request, _("Closed."))
    return redirect("exchange:detail", item.pk)


@never_cache
@login_required
@refusals
def new_request(request):
    """Ask another jurisdiction to confirm facts about a person (R-EX-4)."""
    require_casework(request)
    user = request.user
    if not user.jurisdiction_id:
        raise Http404
    try:
        person_id = int(request.GET.get("person") or 0)
    except ValueError:
        raise Http404 from None
    person = hooks.person_lookups().access(user, person_id, origin=web_origin(request))
    if request.method == "POST":
        form = NewRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with refused_on(form):
                item = services.send_request(
                    data["type"],
                    sender_code=user.jurisdiction_id,
                    receiver_code=data["receiver_code"].strip(),
                    acting_user=user,
                    idempotency_key=f"web-{user.pk}-{data['idempotency_key']}",
                    persons=[person],
                    payload={"question": data["question"]},
                    subject=data["question"][:200],
                    origin=web_origin(request),
                )
                messages.success(request, _("Sent. It is due on %(due)s.") % {"due": item.due_on})
                return redirect("exchange:detail", item.pk)
    else:
        residence_side = Scope.within(user.jurisdiction_id).covers(person.residence_id)
        other = person.home_id if residence_side else (person.residence_id or "")
        form = NewRequestForm(
            initial={
                "type": RequestType.VERIFICATION,
                "receiver_code": other,
                "idempotency_key": uuid.uuid4().hex,  # a double click sends once (R-EX-5)
            }
        )
    return render(request, "exchange/new.html", {"form": form, "person": person})
