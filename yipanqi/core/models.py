from django.db import models
from django.utils import timezone


class ApiAuthFailure(models.Model):
    """Failed API bearer tokens from one client address; enough of them lock it (issue 7.1).

    In the database, like django-axes' log-in lock-outs, so a restart does not lift a lock.
    """

    ip = models.CharField(max_length=45, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.ip}: {self.failures}"
