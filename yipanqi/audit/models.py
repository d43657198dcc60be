from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Log out")
    SESSION_ENDED = "session_ended", _("Session ended by the system")
    OTP_ENROLLED = "otp_enrolled", _("Second factor set up")
    OTP_VERIFIED = "otp_verified", _("Second factor checked")
    OTP_FAILED = "otp_failed", _("Wrong second-factor code")
    OTP_RESET = "otp_reset", _("Second factor reset")
    PASSWORD_CHANGE = "password_change", _("Change a password")
    TOKEN_CREATE = "token_create", _("Create an API token")
    TOKEN_REVOKE = "token_revoke", _("Revoke an API token")
    PERSON_VIEW = "person_view", _("View a person's sensitive data")
    PERSON_SEARCH = "person_search", _("Search persons")
    PERSON_CREATE = "person_create", _("Register a person")
    PERSON_UPDATE = "person_update", _("Change a person")
    PERSON_DENIED = "person_denied", _("Refused access to a person")
    BREAK_GLASS = "break_glass", _("Emergency access to a person outside the jurisdiction")
    BREAK_GLASS_REVIEW = "break_glass_review", _("Review an emergency access")
    EXPORT = "export", _("Export")
    CHANGE = "change", _("Change")
    USER_CHANGE = "user_change", _("Change a user account")
    ADMIN_CHANGE = "admin_change", _("Change through the administration site")
    AUDIT_VIEW = "audit_view", _("Read the audit trail")
    AUDIT_EXPORT = "audit_export", _("Export the audit trail")
    AUDIT_ARCHIVE = "audit_archive", _("Archive old audit rows")
    KEY_ROTATION = "key_rotation", _("Re-encrypt personal data with the newest key")
    BACKUP = "backup", _("Back up the database")
    REQUEST_REFUSED = "request_refused", _("Request refused by a security rule")


class Result(models.TextChoices):
    OK = "ok", _("Succeeded")
    DENIED = "denied", _("Refused")
    ERROR = "error", _("Failed")


class AuditEvent(models.Model):
    """One audited action (R-ACC-2, P5): who, when, what, from where and the result.

    Rows are append-only (database triggers refuse UPDATE and DELETE) and hash-chained: each
    row's `row_hash` is an HMAC over the previous row's hash and this row's content, so
    `yipanqi audit verify` finds an altered, inserted or removed row.
    """

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
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.result}"


class ChainHead(models.Model):
    """The end of the audit hash chain: one row, updated with every append.

    It carries its own HMAC so that removing the newest audit rows (which leaves a chain that is
    intact but shorter) is also detected.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_id}"
