"""Import jobs: one uploaded file each, of registrations (R-REGN-1) or a department feed (R-FEED-1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yipanqi.divisions.scope import Scope
from yipanqi.feeds.models import FeedType, feeds_of


class ImportKind(models.TextChoices):
    """What a file holds: registrations (R-REGN-1) or one department's monthly feed (R-FEED-1)."""

    INFLOW = "inflow", _("Inflow registrations")
    OUTFLOW = "outflow", _("Outflow registrations")
    FEED_TEMPORARY_RESIDENCE = "feed-temporary-residence", _("Feed: temporary residence permits")
    FEED_MARRIAGE = "feed-marriage", _("Feed: marriage registrations")
    FEED_HOSPITAL_BIRTH = "feed-hospital-birth", _("Feed: births in hospitals")
    FEED_DEATH = "feed-death", _("Feed: deaths (public security)")
    FEED_MOVE = "feed-move", _("Feed: moves of residence (public security)")
    FEED_EMPLOYMENT = (
        "feed-employment",
        _("Feed: employment and social insurance (human resources)"),
    )
    FEED_RENTAL = "feed-rental", _("Feed: rented homes (housing)")
    FEED_BUSINESS = "feed-business", _("Feed: businesses registered (market regulation)")

    @classmethod
    def registrations(cls) -> set[str]:
        return {cls.INFLOW, cls.OUTFLOW}

    @classmethod
    def feeds(cls) -> set[str]:
        return {value for value in cls.values if value.startswith("feed-")}


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, waiting for the column check")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Not imported: some rows have errors")
    CHECKED = "checked", _("Checked (trial run, nothing written)")
    FAILED = "failed", _("Failed, nothing was written")


# How many rejection messages a job keeps for its page; the report holds them all.
REJECTED_ROWS_KEPT = 1000

FINISHED_STATUSES = (
    ImportStatus.DONE,
    ImportStatus.REJECTED,
    ImportStatus.CHECKED,
    ImportStatus.FAILED,
)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportJobQuerySet":
        """Jobs of units in the user's subtree, and the user's own (R-ACC-2)."""
        if user is None or getattr(user, "pk", None) is None:
            return self.none()
        scope = Scope.of(user, feeds=True)
        if getattr(user, "role", None) == "department_feeder" and not scope.none:
            # R-FEED-1: a feeder sees their department's feeds only, and their own jobs.
            kinds = [KIND_OF_FEED[feed] for feed in feeds_of(user.department)]
            return self.filter((scope.q("unit_id") & Q(kind__in=kinds)) | Q(created_by=user))
        if scope.nation:
            return self
        return self.filter(scope.q("unit_id") | Q(created_by=user))


class ImportJob(models.Model):
    """One uploaded file and what importing it did; the file itself stays under VAR_DIR."""

    kind = models.CharField(_("kind"), max_length=32, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # The jurisdiction the rows are imported for: residence side (inflow), home side (outflow).
    unit = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=500)
    # Re-importing the same file is recognised by its hash (and changes nothing: natural keys).
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    header_row = models.PositiveIntegerField(default=0)  # 0-based index in the sheet
    # Column index (as text) -> field name; chosen automatically, confirmed in the preview.
    mapping = models.JSONField(default=dict, blank=True)
    valid_rows_only = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    # R-FEED-1: the month a feed reports on, as YYYY-MM; empty for registrations.
    period = models.CharField(max_length=7, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    notified = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)
    # The first rejected rows, for the job page beside the report (issue 12.16): a list of
    # {"row", "field", "column", "reason"} in row order, at most REJECTED_ROWS_KEPT entries.
    rejected_rows = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    seconds = models.FloatField(default=0)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "created_at"], name="importjob_unit_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def summary(self) -> dict:
        return {
            "job": self.pk,
            "status": self.status,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "notified": self.notified,
            "report": self.report_path,
        }


# Which feed a job of a feed kind carries (R-FEED-1).
FEED_OF_KIND = {
    ImportKind.FEED_TEMPORARY_RESIDENCE: FeedType.TEMPORARY_RESIDENCE,
    ImportKind.FEED_MARRIAGE: FeedType.MARRIAGE,
    ImportKind.FEED_HOSPITAL_BIRTH: FeedType.HOSPITAL_BIRTH,
    ImportKind.FEED_DEATH: FeedType.DEATH,
    ImportKind.FEED_MOVE: FeedType.MOVE,
    ImportKind.FEED_EMPLOYMENT: FeedType.EMPLOYMENT,
    ImportKind.FEED_RENTAL: FeedType.RENTAL,
    ImportKind.FEED_BUSINESS: FeedType.BUSINESS,
}
KIND_OF_FEED = {feed: kind for kind, feed in FEED_OF_KIND.items()}
