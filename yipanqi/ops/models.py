"""One row per run of a periodic job and period (issue 14.3). The unique (job, period) pair
is the lock: of any number of scheduler processes, one inserts the row and runs the job."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ScheduledRun(models.Model):
    job = models.CharField(max_length=60)
    period_start = models.DateTimeField(help_text="the start of the period this run is for")
    node = models.CharField(max_length=120, help_text="host and process that ran it")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=RunOutcome.choices)
    summary = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    missed = models.PositiveIntegerField(
        default=0, help_text="periods before this one in which nothing ran (downtime)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="ops_one_run_per_period")
        ]
        indexes = [models.Index(fields=["job", "-period_start"], name="ops_run_job_period")]
        ordering = ["-period_start", "job"]

    def __str__(self) -> str:
        return f"{self.job} {self.period_start:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
