"""Birth registration pages: the list with who owes the next step, applying (first child at the
residence, or at home), the application page with its steps and timeline, each step's action,
and birth reports. Views parse, authorize, call one service and render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yipanqi.births import selectors, services
from yipanqi.births.forms import (
    BirthReportForm,
    ConfirmForm,
    FirstChildForm,
    ForwardForm,
    HomeRegistrationForm,
    ReturnForm,
)
from yipanqi.births.models import BirthReport
from yipanqi.core.casework import poster, record_page, require_casework, web_origin
from yipanqi.core.errors import refusals, refused_in_messages, refused_on
from yipanqi.core.paging import paginate
from yipanqi.divisions.models import Division
from yipanqi.exchange import services as exchange
from yipanqi.exchange.models import RequestType
from yipanqi.people import services as people
from yipanqi.people.models import Person
from yipanqi.people.services import access_person


def _person(request, raw):
    if not str(raw or "").isdigit():
        raise Http404
    return access_person(request.user, int(raw), origin=web_origin(request))


@never_cache
@login_required
def registrations(request):
    require_casework(request)
    today = timezone.localdate()
    page = paginate(request, selectors.registrations_by_urgency(request.user, today))
    return render(
        request,
        "births/list.html",
        {
            "page": page,
            "rows": selectors.waiting_on(request.user, page.object_list, today),
            "today": today,
        },
    )


def _apply(request, *, home: bool):
    require_casework(request)
    woman = _person(request, request.GET.get("person") or request.POST.get("person"))
    form_class = HomeRegistrationForm if home else FirstChildForm
    # R-JUR-3: her husband's record, when linked, gives his name and home.
    spouse = (
        Person.objects.visible_to(request.user).filter(pk=woman.spouse_id).first()
        if woman.spouse_id
        else None
    )
    initial = {"idempotency_key": uuid.uuid4().hex}
    if spouse is not None:
        initial.update(husband_name=spouse.name, husband_home_code=spouse.home_id)
    form = form_class(request.POST or None, initial=initial)
    if spouse is not None:
        form.fields["husband_name"].required = False
        form.fields["husband_home_code"].required = False
    if request.method == "POST" and form.is_valid():
        data = services.BirthInput(
            woman_id=woman.pk,
            husband_name=form.cleaned_data["husband_name"],
            husband_home_code=form.cleaned_data["husband_home_code"],
            documents=form.cleaned_data["documents"],
            idempotency_key=f"web-{request.user.pk}-{form.cleaned_data['idempotency_key']}",
            child_order=form.cleaned_data.get("child_order") or 1,
            husband_id=spouse.pk if spouse is not None else None,
        )
        service = services.register_at_home if home else services.apply_first_child
        with refused_on(form):
            registration = service(data, acting_user=request.user, origin=web_origin(request))
            if home:
                messages.success(
                    request,
                    _("Registration %(number)s issued; the residence has been notified.")
                    % {"number": registration.number},
                )
            else:
                messages.success(request, _("Application received."))
            return redirect("births:detail", registration.pk)
    allowed = (
        services.may_register_at_home(request.user, woman, form["husband_home_code"].value() or "")
        if home
        else services.may_apply_at_residence(request.user, woman)
    )
    home_code = form["husband_home_code"].value() or ""
    return render(
        request,
        "births/apply.html",
        {
            "woman": woman,
            "form": form,
            "home": home,
            "allowed": allowed,
            "spouse": spouse,
            # R-JUR-3: with no husband on record, register him (ID number, home) first.
            "husband_form": people.husband_form_initial(request.user, woman)
            if spouse is None
            else None,
            "provinces": Division.objects.filter(level=1).order_by("code"),
            "husband_home_label": _division_label(home_code),
        },
    )


def _division_label(code: str) -> str:
    found = Division.objects.filter(pk=code).first() if code else None
    return found.path_name if found else ""


@never_cache
@login_required
@refusals
def apply_first_child(request):
    """R-BIRTH-1: a couple applies at her residence for a first child."""
    return _apply(request, home=False)


@never_cache
@login_required
@refusals
def register_at_home(request):
    """R-BIRTH-3: a registration at the home side (further child, or first child at home)."""
    return _apply(request, home=True)


def _access(request, pk):
    require_casework(request)
    return services.access_registration(request.user, pk)


def _detail(request, registration, status=200, **forms):
    user = request.user
    today = timezone.localdate()
    all_steps = selectors.steps(registration, today)
    answerable = [
        step.request
        for step in all_steps
        if step.request is not None and exchange.may_answer(user, step.request)
    ]
    return render(
        request,
        "births/detail.html",
        {
            "r": registration,
            "steps": all_steps,
            "next": next((s for s in all_steps if s.state in ("open", "overdue")), None),
            "events": registration.events.select_related("actor", "unit").prefetch_related(
                "requests"
            ),
            "answerable": answerable,
            "may_ask": services.may_ask(user, registration),
            "may_forward": services.may_forward(user, registration),
            "may_decide": services.may_decide(user, registration),
            "confirm_form": forms.get("confirm_form") or ConfirmForm(),
            "forward_form": forms.get("forward_form")
            or ForwardForm(initial={"documents": registration.documents}),
            "return_form": forms.get("return_form")
            or ReturnForm(initial={"missing": registration.missing_documents()}),
            "reports": registration.reports.all(),
        },
        status=status,
    )


detail = record_page(_access, _detail)


@never_cache
@login_required
@refusals
def pdf(request, pk: int):
    """The family's printable birth registration (audited: it carries her ID number)."""
    registration = _access(request, pk)
    with refused_in_messages(request):
        registration, content = services.registration_pdf(
            request.user,
            registration.pk,
            certificate_check_url=lambda c: request.build_absolute_uri(
                reverse("certificates:check", args=[c.token])
            ),
            origin=web_origin(request),
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="birth-{registration.number}.pdf"'
        return response
    return redirect("births:detail", registration.pk)


# A form posted on the registration's page: again with it, as a 422, when not accepted.
_post = poster(_access, _detail, status=422)


def _done(request, registration, message):
    messages.success(request, message)
    return redirect("births:detail", registration.pk)


@login_required
@require_POST
@refusals
def ask(request, pk: int):
    registration = _access(request, pk)
    with refused_in_messages(request):
        services.ask_home_townships(
            registration.pk, acting_user=request.user, origin=web_origin(request)
        )
        return _done(request, registration, _("Both home townships have been asked to confirm."))
    return redirect("births:detail", registration.pk)


@login_required
@require_POST
@refusals
def confirm(request, pk: int, request_id: int):
    """R-BIRTH-2 step 2: a home township answers its confirmation request from this page."""
    registration = _access(request, pk)
    confirmations = {r.pk: r for r in services.confirmation_requests(registration)}
    if request_id not in confirmations:
        raise Http404
    form = ConfirmForm(request.POST)
    if form.is_valid():
        with refused_in_messages(request, together=True):
            exchange.answer_request(
                request_id,
                answer=form.cleaned_data["answer"],
                acting_user=request.user,
                origin=web_origin(request),
            )
            return _done(request, registration, _("Your answer was sent."))
        return redirect("births:detail", registration.pk)
    return _detail(request, registration, status=422, confirm_form=form)


@login_required
@require_POST
@refusals
def forward(request, pk: int):
    def done(registration, _forwarded):
        return _done(request, registration, _("The file was forwarded to the township."))

    return _post(request, pk, ForwardForm, "forward_form", services.forward_to_township, done)


@login_required
@require_POST
@refusals
def issue(request, pk: int):
    registration = _access(request, pk)
    with refused_in_messages(request):
        issued = services.issue_registration(
            registration.pk, acting_user=request.user, origin=web_origin(request)
        )
        return _done(
            request,
            registration,
            _("Registration %(number)s issued; both home townships have been notified.")
            % {"number": issued.number},
        )
    return redirect("births:detail", registration.pk)


@login_required
@require_POST
@refusals
def return_file(request, pk: int):
    def done(registration, _returned):
        return _done(request, registration, _("The file was returned with what is missing."))

    return _post(request, pk, ReturnForm, "return_form", services.return_registration, done)


@never_cache
@login_required
def reports(request):
    require_casework(request)
    page = paginate(
        request,
        BirthReport.objects.visible_to(request.user)
        .select_related("mother", "unit", "notice")
        .order_by("-birth_date", "-pk"),
    )
    return render(request, "births/reports.html", {"page": page})


@never_cache
@login_required
@refusals
def report_new(request):
    """R-BIRTH-4: record a birth with the child's sex; the home side is notified."""
    require_casework(request)
    mother = _person(request, request.GET.get("person") or request.POST.get("person"))
    form = BirthReportForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        latest = mother.birth_registrations.order_by("-pk").first()
        with refused_on(form):
            services.report_birth(
                services.BirthReportInput(
                    mother_id=mother.pk,
                    birth_date=data["birth_date"],
                    child_sex=data["child_sex"],
                    child_name=data["child_name"],
                    birth_order=data["birth_order"],
                    source=data["source"],
                    registration_id=latest.pk if latest else None,
                    idempotency_key=f"web-{request.user.pk}-{data['idempotency_key']}",
                ),
                acting_user=request.user,
                origin=web_origin(request),
            )
            messages.success(request, _("The birth was recorded and the home side notified."))
            return redirect("people:person", mother.pk)
    return render(
        request,
        "births/report_new.html",
        {"mother": mother, "form": form, "notice_type": RequestType.BIRTH_REPORT.label},
    )
