"""Complaint pages: the staff list, intake, detail and answer, and the citizen's public form and
status look-up (mounted under /public/). Views parse, authorize, call one service and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yipanqi.audit.services import Origin
from yipanqi.core.casework import poster, record_page, require_casework, succeeded, web_origin
from yipanqi.core.errors import NotFound, refusals, refused_on
from yipanqi.core.paging import paginate
from yipanqi.divisions.models import Division
from yipanqi.grievances import selectors, services
from yipanqi.grievances.forms import (
    AnswerForm,
    ComplaintForm,
    EscalateForm,
    FilterForm,
    LookupForm,
    StaffComplaintForm,
    TransferForm,
)
from yipanqi.people.models import Person


def _label(code) -> str:
    division = Division.objects.filter(pk=code or "").first()
    return division.path_name if division else ""


@never_cache
@login_required
def complaint_list(request):
    require_casework(request)
    form = FilterForm(request.GET or None)
    filters = selectors.Filters()
    if form.is_valid():
        filters = selectors.Filters(
            view=form.cleaned_data["view"] or "open", category=form.cleaned_data["category"]
        )
    page = paginate(request, selectors.list_complaints(request.user, filters))
    today = timezone.localdate()
    rows = [(c, selectors.days_left(c, today)) for c in page.object_list]
    return render(request, "grievances/list.html", {"form": form, "page": page, "rows": rows})


@never_cache
@login_required
def new_complaint(request):
    """Staff intake (R-GRV-1): from a visit, a letter or the 12356 hotline."""
    require_casework(request)
    user = request.user
    person = None
    person_id = request.POST.get("person_id") or request.GET.get("person")
    if person_id:
        if not str(person_id).isdigit():
            raise Http404
        person = Person.objects.visible_to(user).filter(pk=int(person_id)).first()
        if person is None:
            raise Http404
    form = StaffComplaintForm(
        request.POST or None,
        initial={"place_code": (person.residence_id if person else user.jurisdiction_id) or ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.complaint_data()
        with refused_on(form):
            filed = services.file_complaint(
                services.ComplaintInput(**data, person_id=person.pk if person else None),
                acting_user=user,
                channel=form.cleaned_data["channel"],
                origin=web_origin(request),
            )
            messages.success(
                request,
                _(
                    "Complaint %(reference)s recorded. Give the complainant the reference "
                    "number and the access code %(secret)s to follow it."
                )
                % {"reference": filed.complaint.reference, "secret": filed.secret},
            )
            return redirect("grievances:detail", filed.complaint.pk)
    return render(
        request,
        "grievances/new.html",
        {
            "form": form,
            "person": person,
            "provinces": Division.objects.filter(level=1).order_by("code"),
            "place_label": _label(form["place_code"].value()),
        },
        status=400 if request.method == "POST" else 200,
    )


def _access(request, pk: int):
    require_casework(request)
    return services.access_complaint(request.user, pk)


def _detail(request, complaint, status=200, **forms):
    transfer_form = forms.get("transfer_form") or TransferForm()
    return render(
        request,
        "grievances/detail.html",
        {
            "complaint": complaint,
            "left": selectors.days_left(complaint),
            "events": complaint.events.select_related("actor", "unit"),
            "may_answer": services.may_answer(request.user, complaint),
            "may_transfer": services.may_transfer(request.user, complaint),
            "may_escalate": services.may_escalate(request.user, complaint),
            "level_above": services.level_above(complaint.assigned_to),
            "answer_form": forms.get("answer_form") or AnswerForm(),
            "transfer_form": transfer_form,
            "escalate_form": forms.get("escalate_form") or EscalateForm(),
            "provinces": Division.objects.filter(level=1).order_by("code"),
            "transfer_label": _label(transfer_form["to_code"].value()),
        },
        status=status,
    )


# A form posted on the complaint's page: again with it, as a 400, when not accepted.
_post = poster(_access, _detail, status=400)


detail = record_page(_access, _detail)


@require_POST
@login_required
@refusals
def answer(request, pk: int):
    def done(complaint, _answered):
        message = _("Answered. The complainant sees the answer now.")
        return succeeded(request, message, "grievances:detail", complaint.pk)

    return _post(request, pk, AnswerForm, "answer_form", services.answer_complaint, done)


def _after_move(request, moved):
    """After a transfer or an escalation: the complaint's page, or the list when it has left
    the user's area."""
    if services.access_complaint_or_none(request.user, moved.pk) is None:
        return redirect("grievances:list")
    return redirect("grievances:detail", moved.pk)


@require_POST
@login_required
@refusals
def transfer(request, pk: int):
    """Hand the complaint to another unit with a reason (R-GRV-1)."""

    def done(_complaint, moved):
        messages.success(request, _("Transferred to %(unit)s.") % {"unit": moved.assigned_to})
        return _after_move(request, moved)

    return _post(request, pk, TransferForm, "transfer_form", services.transfer_complaint, done)


@require_POST
@login_required
@refusals
def escalate(request, pk: int):
    """Send a late complaint to the next level up (R-GRV-1)."""

    def done(_complaint, moved):
        messages.success(
            request,
            _("Escalated to %(unit)s, to answer by %(day)s.")
            % {"unit": moved.assigned_to, "day": moved.due_on.isoformat()},
        )
        return _after_move(request, moved)

    return _post(request, pk, EscalateForm, "escalate_form", services.escalate_complaint, done)


# --- public pages (no account, R-ACC-3) -------------------------------------------------------


@never_cache
def public_new(request):
    """The citizen's complaint form (R-GRV-1, R-DIR-2)."""
    form = ComplaintForm(request.POST or None)
    if request.method == "POST":
        if form.is_robot():
            # Robots get the same kind of refusal as a person who sent too many.
            form.add_error(None, _("The complaint could not be accepted. Please call 12356."))
        elif form.is_valid():
            with refused_on(form):
                filed = services.file_complaint(
                    services.ComplaintInput(**form.complaint_data()),
                    acting_user=None,
                    origin=Origin.from_request(request, channel="public"),
                )
                return render(
                    request,
                    "grievances/public_filed.html",
                    {"complaint": filed.complaint, "secret": filed.secret},
                )
    return render(
        request,
        "grievances/public_new.html",
        {
            "form": form,
            "provinces": Division.objects.filter(level=1).order_by("code"),
            "place_label": _label(form["place_code"].value()),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def public_status(request):
    """Follow a complaint with its reference number and access code (POST: the code stays out
    of addresses and logs)."""
    form = LookupForm(request.POST or None)
    complaint = None
    if request.method == "POST" and form.is_valid():
        with refused_on(form):
            try:
                complaint = services.lookup_complaint(
                    form.cleaned_data["reference"],
                    form.cleaned_data["secret"],
                    origin=Origin.from_request(request, channel="public"),
                )
            except NotFound:
                # On the public page the citizen is told to check both halves of the pair.
                form.add_error(
                    None,
                    _(
                        "No complaint matches this reference number and access code. Please check both."
                    ),
                )
    return render(
        request,
        "grievances/public_status.html",
        {
            "form": form,
            "complaint": complaint,
            "events": complaint.events.select_related("unit") if complaint else (),
            "left": selectors.days_left(complaint) if complaint else None,
        },
        status=400 if request.method == "POST" and complaint is None else 200,
    )
