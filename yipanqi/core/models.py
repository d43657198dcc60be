from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Throttle(models.Model):
    """Events counted for one key (an address, an account, a token) and its back-off (issue 16).

    In the database, so every worker process shares it and a restart does not reset it; only
    `core.ratelimit` writes it, with atomic upserts. The security administrator lifts a back-off
    by deleting the row in the administration site.
    """

    key = models.CharField(_("what is counted"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    # Epoch seconds: plain numbers compare the same way in SQLite and PostgreSQL upserts.
    expires = models.FloatField(_("window ends (epoch seconds)"))
    blocked_until = models.FloatField(_("back-off ends (epoch seconds)"), default=0)

    class Meta:
        verbose_name = _("throttle")
        verbose_name_plural = _("throttles (log-in and API back-off, rate limits)")
        indexes = [models.Index(fields=["expires"], name="core_throttle_expires")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class IdempotencyKey(models.Model):
    """An API request done once under its `Idempotency-Key` header, and the answer it got
    (issue 12.17; `api.v1.idempotency`).

    Claimed by inserting the row before the request is done: the unique constraint on owner
    and key, not a look-up first, makes a concurrent duplicate wait or fail instead of doing
    the work twice. `status_code` stays empty until the answer is stored.
    """

    # "user:<id>", or "address:<ip>" for the public endpoints without an account.
    owner = models.CharField(_("who sent the request"), max_length=80)
    key = models.CharField(_("key sent by the client"), max_length=255)
    operation = models.CharField(_("API operation"), max_length=300)
    body_hash = models.CharField(_("hash of the request"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("first received at"))
    expires_at = models.DateTimeField(_("forgotten after"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys (API requests done once)")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="core_idempotency_once")
        ]
        indexes = [models.Index(fields=["expires_at"], name="core_idempotency_expires")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class TimelineEvent(models.Model):
    """One step in a record's timeline: when, who (None: the system) and what it carried; the
    concrete model adds the record, its `type` with the record's choices, and the unit."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.at:%Y-%m-%d %H:%M}"
