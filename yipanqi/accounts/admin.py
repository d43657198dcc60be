"""Users and API tokens in the administration site (system administrator, 三员分立)."""

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
