"""Log-in with lock-out and a second factor, password change (issue 7)."""

import base64
import io
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from yipanqi.accounts import services, throttle
from yipanqi.accounts.middleware import LOGIN_AT_KEY, SEEN_KEY
from yipanqi.accounts.models import ApiToken
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import client_ip, record_event
from yipanqi.core import ratelimit
from yipanqi.core.casework import web_origin
from yipanqi.core.errors import refusals


def _next_url(request, default: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _start_session(request, user) -> None:
    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_KEY] = now


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    """User name and password; django-axes counts failures in the database (issue 7.1)."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request))
    status = 200
    error = ""
    form = AuthenticationForm(request)
    wait = 0
    if request.method == "POST":
        ip = client_ip(request) or "unknown"
        username = request.POST.get("username", "")
        wait = throttle.wait_seconds(request, username, ip)
        if ratelimit.hit(f"login:{ip}", limit=settings.LOGIN_RATE_PER_MINUTE):
            error = _("Too many log-in attempts from this address. Please wait a minute.")
            status = 429
        elif wait:
            # Back-off (issue 16 item 6): the password is not checked until the wait is over.
            services.record_login_failed(username, origin=web_origin(request), locked=True)
            error = _(
                "Too many failed log-ins for this account or from this network. Please wait "
                "%(minutes)s minute(s) and try again, or ask the security administrator."
            ) % {"minutes": max(1, (wait + 59) // 60)}
            status = 429
        else:
            form = AuthenticationForm(request, data=request.POST)
            if form.is_valid():
                with transaction.atomic():
                    auth_login(request, form.get_user())
                    _start_session(request, form.get_user())
                response = redirect(_next_url(request))
                throttle.record_success(response, form.get_user())
                return response
            throttle.record_failure(username, ip)
            error = _(
                "The user name or password is not right. Please try again; after several "
                "failed tries you have to wait a while before the next one."
            )
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": _next_url(request)},
        status=status,
    )
    if wait and status == 429:
        response["Retry-After"] = str(wait)
    return response


def locked_out(request, response=None, credentials=None):
    """django-axes' answer once an account is locked (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    error = _(
        "Too many failed log-ins for this account from this network: it is locked here for "
        "%(minutes)s minutes. The security administrator can unlock it sooner."
    ) % {"minutes": minutes}
    return render(
        request,
        "accounts/login.html",
        {"form": AuthenticationForm(request), "error": error, "next": "", "locked": True},
        status=429,
    )


def _qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _token_from(request) -> str:
    return "".join(ch for ch in request.POST.get("token", "") if ch.isdigit())[:8]


def _check_code(request, device, action: str, wrong: str, *, enrol: bool = False) -> str:
    """Check the typed code: on success log the second factor in and audit `action` (and
    confirm the device when enrolling), answering ""; otherwise audit the failure and say why."""
    user = request.user
    allowed, _info = device.verify_is_allowed()
    if allowed and device.verify_token(_token_from(request)):
        with transaction.atomic():
            if enrol:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            request.session.cycle_key()
            services.remember_session(user, request.session.session_key)
            otp_login(request, device)
            record_event(
                actor=user,
                action=action,
                origin=web_origin(request),
                object_type="otp_device",
                object_id=device.pk,
            )
        return ""
    record_event(
        actor=user,
        action=Action.OTP_FAILED,
        origin=web_origin(request),
        result=Result.DENIED,
        object_type="otp_device",
        object_id=device.pk,
    )
    return wrong if allowed else _("Too many wrong codes. Please wait a little and try again.")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Set up TOTP: scan the code with an authenticator app, then type the 6 digits."""
    user = request.user
    if user_has_device(user):
        if request.user.is_verified():
            messages.info(request, _("Your second factor is already set up."))
            return redirect("web:home")
        return redirect(f"{reverse('accounts:otp_verify')}?next={_next_url(request)}")
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    if request.method == "GET" and not _created:
        # Issue 12.1: a secret is shown once. Opening the page again issues a new one, so a
        # secret left on a screen or in a history is dead before it can be used.
        device.key = default_key()
        device.save(update_fields=["key"])
    error = ""
    if request.method == "POST":
        error = _check_code(
            request,
            device,
            Action.OTP_ENROLLED,
            _("That code is not right. Check the time on your phone and try the new code."),
            enrol=True,
        )
        if not error:
            messages.success(request, _("Your second factor is set up."))
            return redirect(_next_url(request))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "qr": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "error": error,
            "required": user.needs_second_factor,
            "next": _next_url(request),
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Type the current 6-digit code from the authenticator app."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('accounts:otp_setup')}?next={_next_url(request)}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    error = ""
    if request.method == "POST":
        error = _check_code(
            request,
            device,
            Action.OTP_VERIFIED,
            _("That code is not right. Please try the new code."),
        )
        if not error:
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/otp_verify.html",
        {"error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change one's own password under the policy (length, classes, history)."""
    user = request.user
    form = PasswordChangeForm(user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                old_key = request.session.session_key
                services.change_password(
                    user,
                    form.cleaned_data["new_password1"],
                    acting_user=user,
                    origin=web_origin(request),
                    keep_session=old_key,
                )
                # Issue 16.4: this session goes on, under a new key; every other one has ended.
                update_session_auth_hash(request, user)
                services.move_session(user, old_key, request.session.session_key)
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            messages.success(request, _("Your password is changed."))
            return redirect("web:home")
    return render(
        request,
        "accounts/password.html",
        {"form": form, "expired": user.password_expired()},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@refusals
def tokens(request):
    """API tokens of the logged-in user: create one (shown once) or revoke one; both audited."""
    new_key = None
    if request.method == "POST":
        revoke = request.POST.get("revoke", "")
        if revoke:
            if not revoke.isdigit():
                raise Http404
            services.revoke_own_token(
                int(revoke), acting_user=request.user, origin=web_origin(request)
            )
            messages.success(request, _("The token was revoked."))
            return redirect("web:tokens")
        _token, new_key = services.create_token(
            request.user,
            request.POST.get("name") or "api",
            acting_user=request.user,
            origin=web_origin(request),
        )
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
            "new_key": new_key,
        },
    )
