from django.db import models
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
