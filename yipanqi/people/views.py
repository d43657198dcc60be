"""The registry's pages: find a person, the person page, register a person, record news of an
outflow person and a departure. Each view parses, authorizes, calls one service and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yipanqi.core.casework import require_casework, web_origin
from yipanqi.core.errors import refusals, refused_in_messages, refused_on
from yipanqi.core.paging import paginate
from yipanqi.divisions.models import Division
from yipanqi.divisions.queries import is_known_county
from yipanqi.people import departures
from yipanqi.people import services as people
from yipanqi.people.forms import (
    ContactForm,
    DepartureForm,
    IdLookupForm,
    PersonSearchForm,
    RegistrationForm,
)
from yipanqi.people.models import Registration, RegistrationKind


@never_cache
@login_required
def person_search(request):
    """Find a person (issue 12.13). Name, place and registration are a GET search: the filters
    live in the URL, so Back returns to the results, a search can be shared, and paging keeps
    them. An ID number never goes in a URL (nor so in logs, history or a shared link: it is
    sensitive personal information, P5): the ID lookup is a POST that redirects to the person's
    page when it finds her, and answers on the spot, form refilled, when it does not."""
    require_casework(request)
    if request.method == "POST":
        return _lookup_by_id(request)
    page = None
    criteria = {}
    form = PersonSearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        criteria = {k: v for k, v in form.cleaned_data.items() if v}
        if criteria:
            results = people.search_persons(request.user, **criteria, origin=web_origin(request))
            page = paginate(request, results)
    return render(
        request,
        "people/person_search.html",
        {"form": form, "id_form": IdLookupForm(), "page": page, "criteria": criteria},
    )


def _lookup_by_id(request):
    id_form = IdLookupForm(request.POST)
    page = None
    if id_form.is_valid():
        found = people.search_persons(
            request.user,
            id_number=id_form.cleaned_data["id_number"],
            origin=web_origin(request),
        )
        matches = list(found[:2])
        if len(matches) == 1:
            return redirect("people:person", matches[0].pk)
        if not matches:
            id_form.add_error(
                "id_number",
                _(
                    "Nobody with this ID number is registered in your area. Check the number, "
                    "or register the person."
                ),
            )
        else:  # one ID, two records (a data error): list them; no pager, it would need the ID
            page = Paginator(found, 100).page(1)
    return render(
        request,
        "people/person_search.html",
        {"form": PersonSearchForm(), "id_form": id_form, "page": page, "criteria": {}},
        status=200 if id_form.is_valid() else 400,
    )


def _division_label(code):
    if not code:
        return ""
    division = Division.objects.filter(pk=code).first()
    return division.path_name if division else ""


@never_cache
@login_required
def register(request, kind):
    if kind not in RegistrationKind.values:
        raise Http404
    user = request.user
    if not user.can_register:
        messages.error(request, _("Only village and township staff register persons."))
        return redirect("web:home")
    wife = _wife_for_form(request)
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            data = people.RegistrationInput(**form.cleaned_data)
            with refused_on(form):
                registration = people.register(
                    data, kind=kind, acting_user=user, origin=web_origin(request)
                )
                messages.success(request, _("Registered. The other side can now see this record."))
                return redirect("people:person", registration.person_id)
    else:
        mine = user.jurisdiction_id or ""
        initial = {"residence_code": mine} if kind == "inflow" else {"home_code": mine}
        husband = people.husband_form_initial(user, wife) if wife is not None else None
        if husband is not None and husband["kind"] == kind:
            initial = {k: v for k, v in husband.items() if k != "kind"}
        form = RegistrationForm(initial=initial)
    title = _("Register an inflow person") if kind == "inflow" else _("Register an outflow person")
    help_text = (
        _("For a person whose household registration is in another county and who lives here.")
        if kind == "inflow"
        else _("For a person whose household registration is here and who lives in another county.")
    )
    return render(
        request,
        "people/register.html",
        {
            "form": form,
            "kind": kind,
            "title": title,
            "help": help_text,
            "provinces": Division.objects.filter(level=1).order_by("code"),
            "home_label": _division_label(form["home_code"].value()),
            "residence_label": _division_label(form["residence_code"].value()),
            "dwelling_label": _division_label(form["dwelling_code"].value()),
            "wife": wife,
        },
    )


def _wife_for_form(request):
    """R-JUR-3: the woman whose husband this form registers (?spouse= or the posted field)."""
    raw = request.POST.get("spouse_id") or request.GET.get("spouse") or ""
    if not str(raw).isdigit():
        return None
    return people.Person.objects.visible_to(request.user).filter(pk=int(raw), sex="F").first()


@never_cache
@login_required
@refusals
def person(request, pk: int):
    require_casework(request)
    revealed = people.reveal_person(request.user, pk, origin=web_origin(request))
    person = revealed.person
    registrations = person.registrations.select_related(
        "home", "residence", "dwelling", "registered_by_unit"
    ).order_by("-recorded_at")
    kinds = {r.kind for r in registrations if r.status == "active"}
    return render(
        request,
        "people/person.html",
        {
            "person": person,
            "id_number": revealed.id_number,
            "phone": revealed.phone,
            "registrations": registrations,
            "linked": kinds == {"inflow", "outflow"},
            # Old area codes are valid IDs; say so, so nobody "corrects" them.
            "id_area_is_old": not is_known_county(revealed.id_number[:6]),
            "contact_registration": next(
                (r for r in registrations if departures.can_record_contact(request.user, r)),
                None,
            ),
            "today": timezone.localdate(),
            "events": person.events.select_related("unit", "actor"),
            # R-JUR-3: the spouse's record, when the user may see it, and where to register
            # her husband when she has none on record.
            "spouse": people.Person.objects.visible_to(request.user)
            .filter(pk=person.spouse_id)
            .first()
            if person.spouse_id
            else None,
            "husband_form": people.husband_form_initial(request.user, person),
        },
    )


@login_required
@require_POST
@refusals
def record_contact(request, pk: int):
    """The home side records news of an outflow person (R-REGN-4)."""
    person = people.access_person(request.user, pk, origin=web_origin(request))
    registration = person.registrations.active().filter(kind=RegistrationKind.OUTFLOW).first()
    if registration is None:
        raise Http404
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter the date of the news, like 2026-03-05."))
        return redirect("people:person", pk)
    with refused_in_messages(request):
        departures.record_contact(
            registration,
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
            origin=web_origin(request),
        )
        messages.success(request, _("News recorded; the lost-contact flag is cleared."))
    return redirect("people:person", pk)


@require_POST
@login_required
def departure(request, registration_id: int):
    """R-REGN-6: the residence side records that a person left; the home side is notified."""
    require_casework(request)
    registration = Registration.objects.visible_to(request.user).filter(pk=registration_id).first()
    if registration is None:
        raise Http404
    form = DepartureForm(request.POST)
    if form.is_valid():
        with refused_in_messages(request):
            departures.record_departure(
                registration,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
                acting_user=request.user,
                origin=web_origin(request),
            )
            messages.success(request, _("Departure recorded; the home side has been notified."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("people:person", registration.person_id)
