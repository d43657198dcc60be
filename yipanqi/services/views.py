"""Pages for services given, service reports, benefits, supply points and the violation list.
Each view parses, authorizes, calls one service and renders; the rules live in services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from yipanqi.audit.models import Action
from yipanqi.core.casework import require_casework, web_origin
from yipanqi.core.errors import refusals, refused_on
from yipanqi.core.paging import paginate
from yipanqi.divisions.models import Division
from yipanqi.people import services as people
from yipanqi.services import pdf, services
from yipanqi.services.forms import BenefitForm, ReportForm, ServiceForm, SupplyPointForm
from yipanqi.services.models import SupplyPoint


def _person(request, person_id: int) -> "people.Person":
    require_casework(request)
    # A refused attempt on an existing person is audited there (R-ACC-2).
    return people.access_person(request.user, person_id, origin=web_origin(request))


@never_cache
@login_required
@refusals
def record_service(request, person_id: int):
    """R-SVC-1: the residence records a service given."""
    person = _person(request, person_id)
    if not services.may_record_services(request.user, person):
        raise Http404
    form = ServiceForm(
        request.POST or None,
        initial={"given_on": timezone.localdate(), "amount_charged": 0},
    )
    if request.method == "POST" and form.is_valid():
        with refused_on(form):
            recorded = services.record_service(
                services.ServiceInput(person_id=person.pk, **form.cleaned_data),
                acting_user=request.user,
                origin=web_origin(request),
            )
            for warning in recorded.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Service recorded."))
            return redirect("people:person", person.pk)
    return render(
        request,
        "services/record.html",
        {"person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@refusals
def send_report(request, person_id: int):
    """R-SVC-2: the residence sends the service report to the home side."""
    person = _person(request, person_id)
    if not services.may_record_services(request.user, person):
        raise Http404
    today = timezone.localdate()
    form = ReportForm(
        request.POST or None,
        initial={"period_from": today.replace(month=1, day=1), "period_to": today},
    )
    if request.method == "POST" and form.is_valid():
        with refused_on(form):
            report = services.send_service_report(
                services.ReportInput(person_id=person.pk, **form.cleaned_data),
                acting_user=request.user,
                origin=web_origin(request),
            )
            messages.success(request, _("The service report was sent to the home side."))
            return redirect("services:report", report.pk)
    return render(
        request,
        "services/report_form.html",
        {"person": person, "form": form, "receiver": services.home_receiver(person)},
        status=400 if request.method == "POST" else 200,
    )


def _report(request, pk: int, action=Action.PERSON_VIEW):
    require_casework(request)
    return services.access_service_report(
        request.user, pk, origin=web_origin(request), action=action
    )


@never_cache
@login_required
@refusals
def report(request, pk: int):
    item = _report(request, pk)
    return render(
        request,
        "services/report.html",
        {
            "report": item,
            "records": item.records.select_related("service_type").order_by("given_on"),
        },
    )


@never_cache
@login_required
@refusals
def report_pdf(request, pk: int):
    """The printable 报告单 (R-SVC-2)."""
    item = _report(request, pk, action=Action.EXPORT)
    response = HttpResponse(pdf.service_report_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="service-report-{item.number}.pdf"'
    return response


@never_cache
@login_required
@refusals
def record_benefit(request, person_id: int):
    """R-SVC-5: the home side records a certificate or reward."""
    person = _person(request, person_id)
    if not services.may_record_benefits(request.user, person):
        raise Http404
    form = BenefitForm(request.POST or None, initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with refused_on(form):
            services.record_benefit(
                services.BenefitInput(person_id=person.pk, **form.cleaned_data),
                acting_user=request.user,
                origin=web_origin(request),
            )
            messages.success(request, _("Recorded. The place of residence sees it too."))
            return redirect("people:person", person.pk)
    return render(
        request,
        "services/benefit.html",
        {"person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
def violations(request):
    """R-SVC-1: charges on basic services in the user's area, for its administrators."""
    require_casework(request)
    page = paginate(request, services.list_violations(request.user, origin=web_origin(request)))
    return render(request, "services/violations.html", {"page": page})


def _township_divisions(user):
    township = user.jurisdiction
    return [township, *Division.objects.filter(parent=township).order_by("code")]


@never_cache
@login_required
@refusals
def supply_points(request, pk: int | None = None):
    """R-SVC-4: the township lists and edits its supply points."""
    user = request.user
    if not services.may_edit_supply_points(user):
        raise Http404
    point = None
    if pk is not None:
        point = SupplyPoint.objects.filter(pk=pk).within(user.jurisdiction_id).first()
        if point is None:
            raise Http404
    initial = (
        {
            "division_code": point.division_id,
            "kind": point.kind,
            "name": point.name,
            "address": point.address,
            "hours": point.hours,
            "phone": point.phone,
            "active": point.active,
        }
        if point
        else {"division_code": user.jurisdiction_id, "active": True}
    )
    form = SupplyPointForm(
        request.POST or None, initial=initial, divisions=_township_divisions(user)
    )
    if request.method == "POST" and form.is_valid():
        with refused_on(form):
            services.save_supply_point(
                services.SupplyPointInput(**form.cleaned_data),
                acting_user=user,
                point_id=point.pk if point else None,
                origin=web_origin(request),
            )
            messages.success(request, _("Saved. The public pages show it now."))
            return redirect("services:supply_points")
    return render(
        request,
        "services/supply_points.html",
        {
            "form": form,
            "point": point,
            # Newest first: the one just added is at the top (issue 12.12).
            "points": paginate(
                request,
                services.list_supply_points(user.jurisdiction_id, include_inactive=True).order_by(
                    "-pk"
                ),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )
