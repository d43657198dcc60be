"""Users and API tokens in the administration site (system administrator, 三员分立)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
        return data


class UserChangeForm(RoleFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "display_name", "role", "jurisdiction", "is_active"]


class UserCreationForm(RoleFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "display_name", "role", "jurisdiction"]


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
        (None, {"fields": ["username", "display_name", "role", "jurisdiction", "is_active"]}),
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

    @admin.action(description=_("Disable the selected users and end their sessions"))
    def disable_users(self, request, queryset):
        origin = Origin.from_request(request)
        for user in queryset.filter(is_active=True):
            services.set_active(user, False, acting_user=request.user, origin=origin)
        messages.success(request, _("The users are disabled and their sessions ended."))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
