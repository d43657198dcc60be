"""Users and API tokens in the administration site (system administrator, 三员分立), and the
back-off rows of core.Throttle for the security administrator (they are keyed by token and user)."""

import time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from yipanqi.accounts import services
from yipanqi.accounts.models import ApiToken, Role, User, expected_code_length
from yipanqi.audit.services import Origin
from yipanqi.core.models import Throttle


class RoleFormMixin:
    def clean(self):
        data = super().clean()
        role, jurisdiction = data.get("role"), data.get("jurisdiction")
        length = expected_code_length(role) if role else None
        if length and (jurisdiction is None or len(jurisdiction.code) != length):
            raise ValidationError(_("This role needs a jurisdiction at its own level."))
        if role in {Role.NATIONAL_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}:
            data["jurisdiction"] = None
        # R-FEED-1: a department feeder belongs to one department; nobody else has one.
        if role == Role.DEPARTMENT_FEEDER and not data.get("department"):
            raise ValidationError(_("Please choose the department this feeder sends for."))
        if role != Role.DEPARTMENT_FEEDER:
            data["department"] = ""
        return data


class UserChangeForm(RoleFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "display_name", "role", "jurisdiction", "department", "is_active"]


class UserCreationForm(RoleFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "display_name", "role", "jurisdiction", "department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "display_name", "role", "jurisdiction", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["jurisdiction"]
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "username",
                    "display_name",
                    "role",
                    "jurisdiction",
                    "department",
                    "is_active",
                ]
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined", "password_changed_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "username",
                    "display_name",
                    "role",
                    "jurisdiction",
                    "department",
                    "password1",
                    "password2",
                ]
            },
        ),
    ]
    actions = ["disable_users"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return super().get_form(request, obj, **kwargs)
        kwargs["form"] = UserChangeForm
        return super(BaseUserAdmin, self).get_form(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are disabled, never deleted: the audit trail points at them

    def save_model(self, request, obj, form, change):
        origin = Origin.from_request(request)
        was_active = User.objects.filter(pk=obj.pk).values_list("is_active", flat=True).first()
        if not change:
            # A password set by an administrator must be changed by its owner at first log-in.
            obj.password_changed_at = None
        super().save_model(request, obj, form, change)
        if change and was_active and not obj.is_active:
            services.set_active(obj, False, acting_user=request.user, origin=origin)

    def user_change_password(self, request, id, form_url=""):
        """Issue 16.4: a password set here is a reset through `services.change_password`: the
        user's tokens are revoked, their sessions ended, and they choose their own at the next
        log-in. Anything but a valid submission is Django's own page (errors, refusals)."""
        user = self.get_object(request, unquote(id)) if request.method == "POST" else None
        if user is not None and self.has_change_permission(request, user):
            form = self.change_password_form(user, request.POST)
            usable = form.is_valid() and form.cleaned_data["set_usable_password"]
            if form.is_valid() and (usable or "unset-password" in request.POST):
                services.change_password(
                    user,
                    form.cleaned_data["password1"] if usable else None,
                    acting_user=request.user,
                    origin=Origin.from_request(request),
                    keep_session=request.session.session_key,
                )
                if user.pk == request.user.pk:
                    update_session_auth_hash(request, user)
                messages.success(
                    request,
                    _("The password is set. The user must choose a new one at the next log-in.")
                    if usable
                    else _("Log-in with a password is switched off for this user."),
                )
                return redirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Disable the selected users and end their sessions"))
    def disable_users(self, request, queryset):
        origin = Origin.from_request(request)
        for user in queryset.filter(is_active=True):
            services.set_active(user, False, acting_user=request.user, origin=origin)
        messages.success(request, _("The users are disabled and their sessions ended."))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
    ]
    # A revocation is made by the action below (audited) and never undone here.
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    ]
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request, queryset):
        count = services.revoke_tokens(
            list(queryset),
            reason="revoked by an administrator",
            acting_user=request.user,
            origin=Origin.from_request(request),
        )
        messages.success(
            request,
            ngettext("%(count)s token revoked.", "%(count)s tokens revoked.", count)
            % {"count": count},
        )

    def has_delete_permission(self, request, obj=None):
        return False


# --- second-factor devices (issue 12.1) -------------------------------------------------------
# No role may read a second-factor secret after enrolment. django-otp's own admin classes show
# the key, a QR code and a config URL; every device model it registered is registered again
# here with only what identifies the device and its use. The one action is a reset (audited).
DEVICE_FIELDS = [
    "user",
    "name",
    "confirmed",
    "created_at",
    "last_used_at",
    "throttling_failure_count",
    "throttling_failure_timestamp",
]


class SecretFreeDeviceAdmin(admin.ModelAdmin):
    """A second-factor device without its secret: no key, no QR, no config URL, no token."""

    list_display_links = None
    search_fields = ["user__username", "user__display_name"]
    actions = ["reset_second_factor"]

    def _fields(self):
        names = {field.name for field in self.model._meta.get_fields()}
        return [name for name in DEVICE_FIELDS if name in names]

    def get_list_display(self, request):
        return [name for name in self._fields() if not name.startswith("throttling_")]

    def get_list_filter(self, request):
        return ["confirmed"] if "confirmed" in self._fields() else []

    def get_fields(self, request, obj=None):
        return self._fields()

    def get_readonly_fields(self, request, obj=None):
        return self._fields()

    def get_urls(self):
        # Only the list: no change page, history, config or QR page for a device.
        from django.urls import path

        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a reset (below) removes every device of the user and ends sessions

    def has_reset_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")

    @admin.action(
        description=_("Reset the second factor of the selected devices' users"),
        permissions=["reset"],
    )
    def reset_second_factor(self, request, queryset):
        origin = Origin.from_request(request)
        users = User.objects.filter(pk__in=queryset.values("user_id"))
        for user in users:
            services.reset_second_factor(user, acting_user=request.user, origin=origin)
        messages.success(
            request,
            _(
                "The second factor is reset and the user's sessions are ended. The user sets up "
                "a new one at the next log-in; nobody else sees it."
            ),
        )


def _replace_device_admins(site) -> None:
    from django_otp.models import Device

    for model in list(site._registry):
        if issubclass(model, Device):
            site.unregister(model)
            site.register(model, SecretFreeDeviceAdmin)


_replace_device_admins(admin.site)


# --- lock-outs (django-axes) ------------------------------------------------------------------
# The security administrator lifts a lock-out; the form data of the failed attempt (the
# query string and POST body, with their CSRF token) is no business of theirs (issue 12.1).
def _replace_axes_admins(site) -> None:
    from axes.models import AccessAttempt

    registered = site._registry.get(AccessAttempt)
    if registered is None:
        return
    base = type(registered)

    class AccessAttemptAdmin(base):
        fieldsets = [
            (None, {"fields": ["username", "path_info", "failures_since_start", "expiration"]}),
            (_("Where from"), {"fields": ["user_agent", "ip_address", "http_accept"]}),
        ]

        def get_readonly_fields(self, request, obj=None):
            hidden = {"get_data", "post_data"}
            return [f for f in super().get_readonly_fields(request, obj) if f not in hidden]

    site.unregister(AccessAttempt)
    site.register(AccessAttempt, AccessAttemptAdmin)


_replace_axes_admins(admin.site)


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin):
    """The security administrator lifts a back-off by deleting its row (audited by the site)."""

    list_display = ["what", "count", "window_ends", "backoff_left"]
    search_fields = ["key"]
    actions = ["delete_selected"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("what is counted"), ordering="key")
    def what(self, obj):
        """An API token's row is keyed by the token's id: show its prefix and owner."""
        prefix, sep, token_id = obj.key.rpartition("tok:")
        if not sep or not token_id.isdigit():
            return obj.key
        token = ApiToken.objects.select_related("user").filter(pk=int(token_id)).first()
        shown = f"{token.prefix}… ({token.user})" if token else token_id
        return f"{prefix}{sep}{shown}"

    @admin.display(description=_("window ends in (seconds)"))
    def window_ends(self, obj):
        return max(0, int(obj.expires - time.time()))

    @admin.display(description=_("back-off left (seconds)"))
    def backoff_left(self, obj):
        return max(0, int(obj.blocked_until - time.time()))
