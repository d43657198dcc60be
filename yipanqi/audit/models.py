from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Log out")
    PERSON_VIEW = "person_view", _("View a person's sensitive data")
    PERSON_SEARCH = "person_search", _("Search persons")
    PERSON_CREATE = "person_create", _("Register a person")
    PERSON_UPDATE = "person_update", _("Change a person")
    PERSON_DENIED = "person_denied", _("Refused access to a person")
    EXPORT = "export", _("Export")
    CHANGE = "change", _("Change")


class Result(models.TextChoices):
    OK = "ok", _("Succeeded")
    DENIED = "denied", _("Refused")
    ERROR = "error", _("Failed")


class AuditEvent(models.Model):
    """One audited action (R-ACC-2, P5): who, when, what, from where and the result."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.OK)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True)  # web, api, cli
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"], name="audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.result}"
