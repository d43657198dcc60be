"""What the casework pages share: the audit origin and the gate for roles without records (a
service's refusal on the form: core.errors.refused_on)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from yipanqi.core.errors import refusals, refused_on
from yipanqi.core.origin import Origin


def web_origin(request) -> Origin:
    """The audit origin of a web page request."""
    return Origin.from_request(request, channel="web")


def require_casework(request) -> None:
    """Raise 404 for a user whose role works with no records (R-ACC-1).

    The three separated administrative roles (三员分立: system administrator, security
    administrator, auditor) have no scope, nor has an inactive user or one without a
    jurisdiction; for them the casework pages do not exist rather than stand empty.
    """
    if request.user.scope_code is None:
        raise Http404


def post_on_page(request, record, form_class, name: str, service, done, *, page, status: int):
    """A form posted on a record's page: the service on the record with the form's data, as
    the user, answering done(record, result); an invalid form, or one the service refused (the
    refusal is then on the form), shows page(request, record, status=status, name=form)."""
    form = form_class(request.POST)
    if form.is_valid():
        with refused_on(form):
            result = service(
                record.pk, **form.cleaned_data, acting_user=request.user, origin=web_origin(request)
            )
            return done(record, result)
    return page(request, record, status=status, **{name: form})


def record_page(access, page):
    """The view of one kind of record page: access(request, pk) finds the record (and refuses
    what the user may not see), page(request, record) shows it, never from a cache."""

    @never_cache
    @login_required
    @refusals
    def detail(request, pk: int):
        return page(request, access(request, pk))

    return detail


def poster(access, page, *, status: int):
    """The form poster of one kind of record page: access(request, pk) finds the record (and
    refuses what the user may not see), then post_on_page with that page and invalid status."""

    def post(request, pk: int, form_class, name: str, service, done):
        record = access(request, pk)
        return post_on_page(
            request, record, form_class, name, service, done, page=page, status=status
        )

    return post


def succeeded(request, message, *to):
    """Say what was done on the next page, and go there (redirect's arguments)."""
    messages.success(request, message)
    return redirect(*to)
