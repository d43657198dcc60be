"""Certificate pages: overview, issue, the certificate with its verifications and actions, PDF,
interim certificate, delegations, the province's long-term parameter, and the public QR check.
Views parse, authorize, call one service and render; the rules live in services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yipanqi.accounts.models import Role
from yipanqi.certificates import selectors, services
from yipanqi.certificates.forms import (
    DelegationForm,
    IssueForm,
    LongTermForm,
    RenewForm,
    RevokeForm,
    VerifyForm,
)
from yipanqi.certificates.models import Delegation, PublicState
from yipanqi.core.casework import poster, record_page, require_casework, succeeded, web_origin
from yipanqi.core.errors import refusals, refused_in_messages, refused_on
from yipanqi.core.paging import paginate
from yipanqi.divisions.models import Division
from yipanqi.regions.rules import province_region


def check_url(request, certificate) -> str:
    return request.build_absolute_uri(reverse("certificates:check", args=[certificate.token]))


@never_cache
@login_required
def overview(request):
    """The certificate work of my jurisdiction: renewals due, late and awaited verifications."""
    require_casework(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    # Issue 12.12: each list pages on its own (?awaiting=2 keeps ?renewals=3), most urgent first.
    awaiting = paginate(
        request, selectors.awaiting_verification(request.user, today=today), param="awaiting"
    )
    renewals = paginate(
        request, selectors.renewals_due(request.user, today=today), param="renewals"
    )
    late = paginate(request, selectors.late_verifications(request.user, year=year), param="late")
    return render(
        request,
        "certificates/overview.html",
        {
            "counts": selectors.scope_counts(request.user, year=year, today=today),
            "renewals": renewals,
            "late": late,
            "awaiting_page": awaiting,
            "awaiting": [
                (r, due, due < today)
                for r in awaiting.object_list
                for due in [services.verification_due(r)]
            ],
            "today": today,
            "is_township": request.user.role == Role.TOWNSHIP_OPERATOR,
            "is_province_admin": request.user.role == Role.PROVINCE_ADMIN,
        },
    )


@never_cache
@login_required
@refusals
def issue(request, person_id: int):
    require_casework(request)
    person = services.access_holder(request.user, person_id, web_origin(request))
    today = timezone.localdate()
    if not services.may_issue(request.user, person):
        raise Http404
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proxy = None
        if data["by_proxy"]:
            proxy = services.ProxyInput(
                name=data["proxy_name"],
                relation=data["proxy_relation"],
                interim_number=data["proxy_interim_number"],
            )
        with refused_on(form):
            certificate = services.issue_certificate(
                person.pk,
                children=data["children"],
                long_term=data["long_term"],
                proxy=proxy,
                acting_user=request.user,
                origin=web_origin(request),
            )
            messages.success(
                request,
                _("Certificate %(number)s issued, free of charge.")
                % {"number": certificate.number},
            )
            return redirect("certificates:detail", certificate.pk)
    return render(
        request,
        "certificates/issue.html",
        {
            "person": person,
            "form": form,
            "long_term_allowed": services.long_term_allowed(person.home_id, today),
            "current": services.current_certificate(person),
        },
    )


def _detail(request, certificate, status=200, **forms):
    user = request.user
    today = timezone.localdate()
    registration = services.active_inflow(certificate.person)
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "person": certificate.person,
            "state": certificate.public_state(today),
            "verifications": certificate.verifications.select_related(
                "unit", "verified_by", "change_notice"
            ),
            "events": certificate.events.select_related("actor", "unit"),
            "may_verify": certificate.is_valid_on(today)
            and services.may_verify(user, registration),
            "may_issue": services.may_issue(user, certificate.person),
            "can_renew": certificate.can_renew(today),
            "can_revoke": certificate.can_revoke(),
            "long_term_allowed": services.long_term_allowed(certificate.person.home_id, today),
            "verify_form": forms.get("verify_form")
            or VerifyForm(
                initial={
                    "verified_on": today,
                    "marital_status": certificate.marital_status,
                    "children": certificate.children,
                }
            ),
            "renew_form": forms.get("renew_form") or RenewForm(),
            "revoke_form": forms.get("revoke_form") or RevokeForm(),
            "check_url": check_url(request, certificate),
        },
        status=status,
    )


def _access(request, pk):
    require_casework(request)
    return services.access_certificate(request.user, pk)


# A form posted on the certificate's page: again with it, as a 422, when not accepted.
_post = poster(_access, _detail, status=422)


detail = record_page(_access, _detail)


@login_required
@require_POST
@refusals
def verify(request, pk: int):
    def done(certificate, verification):
        if verification.late:
            messages.warning(
                request,
                _("Verification recorded; it was %(days)s days after arrival and counts late.")
                % {"days": verification.days_after_arrival},
            )
        else:
            messages.success(request, _("Verification recorded."))
        if verification.change_notice_id:
            messages.info(request, _("The change of status was sent to the home side."))
        return redirect("certificates:detail", certificate.pk)

    return _post(request, pk, VerifyForm, "verify_form", services.verify_certificate, done)


@login_required
@require_POST
@refusals
def renew(request, pk: int):
    def done(_old, renewed):
        message = _("Renewed as certificate %(number)s; the residence has been told.")
        return succeeded(
            request, message % {"number": renewed.number}, "certificates:detail", renewed.pk
        )

    return _post(request, pk, RenewForm, "renew_form", services.renew_certificate, done)


@login_required
@require_POST
@refusals
def revoke(request, pk: int):
    def done(certificate, _revoked):
        return succeeded(
            request, _("The certificate was revoked."), "certificates:detail", certificate.pk
        )

    return _post(request, pk, RevokeForm, "revoke_form", services.revoke_certificate, done)


@never_cache
@login_required
@refusals
def pdf(request, pk: int):
    certificate = _access(request, pk)
    certificate, content = services.certificate_pdf(
        request.user, certificate.pk, check_url=check_url(request, certificate),
        origin=web_origin(request),
    )  # fmt: skip
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response


@never_cache
@login_required
@refusals
def interim_pdf(request, pk: int):
    """R-CERT-4: the printable interim certificate of marital status."""
    require_casework(request)
    interim, content = services.interim_pdf(request.user, pk, origin=web_origin(request))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="interim-{interim.number}.pdf"'
    return response


@login_required
@require_POST
@refusals
def interim(request, person_id: int):
    require_casework(request)
    person = services.access_holder(request.user, person_id, web_origin(request))
    with refused_in_messages(request):
        issued = services.issue_interim_certificate(
            person.pk, acting_user=request.user, origin=web_origin(request)
        )
        messages.success(
            request,
            _(
                "Interim certificate %(number)s issued; she has until %(day)s to obtain a "
                "certificate, and the home side has been told."
            )
            % {"number": issued.number, "day": issued.window_ends_on.isoformat()},
        )
    return redirect("people:person", person.pk)


@never_cache
@login_required
def delegations(request):
    """R-CERT-1: a township lets its villages issue certificates."""
    user = request.user
    if user.role != Role.TOWNSHIP_OPERATOR or not user.jurisdiction_id:
        raise Http404
    villages = Division.objects.filter(parent_id=user.jurisdiction_id, level=5).order_by("code")
    form = DelegationForm(request.POST or None, villages=villages)
    if request.method == "POST":
        end = request.POST.get("end", "")
        if end.isdigit():
            with refused_in_messages(request, together=True):
                services.end_delegation(int(end), acting_user=user, origin=web_origin(request))
                messages.success(request, _("The delegation has ended."))
            return redirect("certificates:delegations")
        if form.is_valid():
            with refused_on(form):
                services.delegate_issuing(
                    form.cleaned_data["village_code"], acting_user=user, origin=web_origin(request)
                )
                messages.success(request, _("The village can now issue certificates."))
                return redirect("certificates:delegations")
    return render(
        request,
        "certificates/delegations.html",
        {
            "form": form,
            "delegations": Delegation.objects.filter(township_id=user.jurisdiction_id)
            .select_related("village", "granted_by")
            .order_by("ended_at", "village_id"),
        },
    )


@never_cache
@login_required
def long_term(request):
    """R-CERT-2: a province administrator says whether the province grants long-term validity."""
    user = request.user
    if user.role != Role.PROVINCE_ADMIN or not user.jurisdiction_id:
        raise Http404
    today = timezone.localdate()
    form = LongTermForm(
        request.POST or None,
        initial={
            "allowed": services.long_term_allowed(user.jurisdiction_id, today),
            "effective_from": today,
        },
    )
    if request.method == "POST" and form.is_valid():
        with refused_on(form):
            services.set_long_term_validity(
                user.jurisdiction_id,
                allowed=form.cleaned_data["allowed"],
                effective_from=form.cleaned_data["effective_from"],
                acting_user=user,
                origin=web_origin(request),
            )
            messages.success(request, _("A new version of the province's rules was saved."))
            return redirect("certificates:long_term")
    region = province_region(user.jurisdiction_id)
    return render(
        request,
        "certificates/long_term.html",
        {
            "form": form,
            "allowed": services.long_term_allowed(user.jurisdiction_id, today),
            "history": region.rule_sets.order_by("-effective_from", "-id")[:10],
        },
    )


@never_cache
def check(request, token: str):
    """R-CERT-5: the public QR check; no login, no personal data, only the state."""
    state = services.check_token(token)
    response = render(
        request,
        "certificates/check.html",
        {"state": state, "label": PublicState(state).label, "checked_at": timezone.now()},
        status=404 if state == PublicState.UNKNOWN else 200,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
