from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpAppConfig


class AccountsConfig(AppConfig):
    name = "yipanqi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default = True  # this module also holds the admin's and two third-party apps' configs

    def ready(self):
        from django.contrib.auth import signals as auth_signals

        from yipanqi.accounts import signals

        auth_signals.user_logged_in.connect(signals.on_logged_in, dispatch_uid="yq_login")
        auth_signals.user_login_failed.connect(signals.on_login_failed, dispatch_uid="yq_fail")
        auth_signals.user_logged_out.connect(signals.on_logged_out, dispatch_uid="yq_logout")


class AdminConfig(admin_apps.AdminConfig):
    """The administration site with role checks (三员分立) and a second factor."""

    default = False

    default_site = "yipanqi.accounts.admin_site.AdminSite"


class AxesConfig(AxesAppConfig):
    """django-axes under a name the security administrator reads in Chinese (issue 12.9)."""

    default = False
    verbose_name = _("Log-in attempts")


class OtpTotpConfig(TotpAppConfig):
    """django-otp's TOTP devices under a name the security administrator reads in Chinese."""

    default = False
    verbose_name = _("Second factor")
