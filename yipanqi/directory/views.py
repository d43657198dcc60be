"""The directory pages (R-DIR-1) and the public pages (R-DIR-2, no login). Views parse,
authorize, call one service and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yipanqi.core.casework import web_origin
from yipanqi.core.errors import refused_on
from yipanqi.core.paging import paginate
from yipanqi.directory import services
from yipanqi.directory.forms import ContactForm, PlaceForm, SearchForm
from yipanqi.divisions.codes import InvalidCode
from yipanqi.divisions.models import Division
from yipanqi.divisions.queries import get_division, list_children
from yipanqi.services.models import SupplyPointKind
from yipanqi.services.services import list_supply_points


@never_cache
@login_required
def search(request):
    """R-DIR-1: every unit in the same region, searchable."""
    form = SearchForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    page = paginate(
        request,
        services.search_directory(
            request.user, q=criteria.get("q", ""), within=criteria.get("within", "")
        ),
    )
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "page": page,
            "own": services.own_contact(request.user),
            "may_edit": services.may_edit_contact(request.user),
        },
    )


@never_cache
@login_required
def mine(request):
    """R-DIR-1: the unit edits its own entry."""
    user = request.user
    if not services.may_edit_contact(user):
        messages.error(
            request, _("Units from township up keep their directory entry; a village has none.")
        )
        return redirect("directory:search")
    own = services.own_contact(user)
    initial = (
        {f: getattr(own, f) for f in ContactForm.base_fields}
        if own
        else {"unit_name": user.jurisdiction.name}
    )
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refused_on(form):
            services.save_contact(
                services.ContactInput(**form.cleaned_data),
                acting_user=user,
                origin=web_origin(request),
            )
            messages.success(request, _("Saved. Units in your region see the new details."))
            return redirect("directory:search")
    return render(
        request,
        "directory/mine.html",
        {"form": form, "unit": user.jurisdiction},
        status=400 if request.method == "POST" else 200,
    )


# --- public pages (R-DIR-2, R-ACC-3) ----------------------------------------------------------


@never_cache
@require_GET
def public_index(request):
    """Service institutions, supply points and offices by jurisdiction, the 12356 hotline."""
    form = PlaceForm(request.GET or None)
    place = None
    if form.is_valid() and form.cleaned_data["code"]:
        place = Division.objects.filter(pk=form.cleaned_data["code"]).first()
        if place is None:
            form.add_error(
                "code",
                _("There is no division with code %(code)s.") % {"code": form.cleaned_data["code"]},
            )
    context = {
        "form": form,
        "place": place,
        "provinces": Division.objects.filter(level=1).order_by("code"),
    }
    if place is not None:
        points = list(list_supply_points(place.code)[:200])
        context.update(
            institutions=[p for p in points if p.kind in SupplyPointKind.institutions()],
            points=points,
            offices=services.public_contacts(place.code),
        )
    return render(request, "directory/public_index.html", context)


@require_GET
def public_children(request, code: str):
    """<option> elements below a division, for the public picker."""
    try:
        code = get_division(code).code
    except (InvalidCode, Division.DoesNotExist):
        raise Http404 from None
    return render(
        request,
        "divisions/options.html",
        {"children": list_children(code), "selected": request.GET.get("selected", "")},
    )


@require_GET
def public_division(request, code: str):
    """The display path of a typed code, for the public picker."""
    try:
        division = get_division(code)
    except (InvalidCode, Division.DoesNotExist):
        raise Http404 from None
    return JsonResponse({"code": division.code, "path_name": division.path_name})
