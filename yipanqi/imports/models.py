"""Import jobs, department feeds (R-FEED-1, R-FEED-2) and the leads they give villages."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.accounts.models import Department
from yipanqi.divisions.models import within_q


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
        scope = getattr(user, "feed_scope_code", None)
        if getattr(user, "role", None) == "department_feeder" and scope is not None:
            # R-FEED-1: a feeder sees their department's feeds only, and their own jobs.
            kinds = [KIND_OF_FEED[feed] for feed in feeds_of(user.department)]
            return self.filter(
                (within_q("unit_id", scope) & Q(kind__in=kinds)) | Q(created_by=user)
            )
        if scope == "":
            return self
        if scope is None:
            return self.filter(created_by=user)
        return self.filter(within_q("unit_id", scope) | Q(created_by=user))


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


class FeedType(models.TextChoices):
    TEMPORARY_RESIDENCE = "temporary_residence", _("Temporary residence permits")
    MARRIAGE = "marriage", _("Marriage registrations")
    HOSPITAL_BIRTH = "hospital_birth", _("Births in hospitals")
    DEATH = "death", _("Deaths")
    MOVE = "move", _("Moves of residence")
    EMPLOYMENT = "employment", _("Employment and social insurance")
    RENTAL = "rental", _("Rented homes")
    BUSINESS = "business", _("Businesses registered")


# R-FEED-1: who sends each feed. A feeder sends only the feeds of their own department.
FEED_DEPARTMENT = {
    FeedType.TEMPORARY_RESIDENCE: Department.PUBLIC_SECURITY,
    FeedType.DEATH: Department.PUBLIC_SECURITY,
    FeedType.MOVE: Department.PUBLIC_SECURITY,
    FeedType.MARRIAGE: Department.CIVIL_AFFAIRS,
    FeedType.HOSPITAL_BIRTH: Department.HEALTH,
    FeedType.EMPLOYMENT: Department.HUMAN_RESOURCES,
    FeedType.RENTAL: Department.HOUSING,
    FeedType.BUSINESS: Department.MARKET_REGULATION,
}
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


def feeds_of(department: str) -> list[str]:
    """The feed types a department sends (R-FEED-1), in the order of FeedType."""
    return [feed for feed in FeedType.values if FEED_DEPARTMENT[feed] == department]


class FeedReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FeedReportQuerySet":
        """Reports of the user's subtree; a department feeder sees only their department's."""
        scope = getattr(user, "feed_scope_code", None)
        if scope is None:
            return self.none()
        reports = self.filter(within_q("unit_id", scope)) if scope else self
        if getattr(user, "role", None) == "department_feeder":
            reports = reports.filter(department=user.department or "-")
        return reports


class FeedReport(models.Model):
    """One department's report for one month and one jurisdiction (R-FEED-1).

    Due by the 3rd of the following month, moved to the next working day (R-WD-3). A month
    with nothing new is a zero report (零通报); timeliness is recorded when the report arrives.
    """

    feed_type = models.CharField(_("feed"), max_length=24, choices=FeedType.choices)
    department = models.CharField(_("department"), max_length=24, choices=Department.choices)
    unit = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    period = models.CharField(_("month"), max_length=7)  # YYYY-MM
    due_on = models.DateField(_("due on"))
    due_fallback = models.BooleanField(default=False)
    received_at = models.DateTimeField(_("received at"))
    on_time = models.BooleanField(_("on time"))
    zero_report = models.BooleanField(_("zero report"), default=False)
    records = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.PROTECT)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = FeedReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "feed_type", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed_type", "unit", "period"], name="feedreport_one_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_feed_type_display()} {self.unit_id} {self.period}"


class FeedOutcome(models.TextChoices):
    REGISTERED = "registered", _("Already registered")
    LEAD = "lead", _("New lead for the village")
    MARITAL_UPDATED = "marital_updated", _("Marital status updated")
    MARITAL_SAME = "marital_same", _("Marital status already recorded")
    BIRTH_REPORTED = "birth_reported", _("Birth report recorded")
    NOT_REGISTERED = "not_registered", _("Not in the registry")
    CLOSED_DECEASED = "closed_deceased", _("Registration closed: deceased")
    NOTHING_OPEN = "nothing_open", _("No open registration")
    LEAD_UPDATED = "lead_updated", _("Open lead moved to the new place")


class FeedRecord(models.Model):
    """One row of a department feed and what matching it against the registry did (R-FEED-2)."""

    report = models.ForeignKey(FeedReport, on_delete=models.PROTECT, related_name="items")
    row_number = models.PositiveIntegerField()
    id_number_index = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(max_length=18)
    name = models.CharField(max_length=50)
    place = models.ForeignKey(
        "divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_date = models.DateField(null=True, blank=True)
    # Feed-specific facts without any ID or phone number: marriage type, child's sex, hospital.
    data = models.JSONField(default=dict, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=FeedOutcome.choices)

    class Meta:
        ordering = ["report", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "id_number_index", "event_date"], name="feedrecord_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} row {self.row_number}"


class LeadKind(models.TextChoices):
    UNREGISTERED_RESIDENT = "unregistered", _("Lives here without an inflow registration")
    BIRTH = "birth", _("Birth in hospital to be recorded")
    MOVED = "moved", _("Moved here: the registration to be updated")
    EMPLOYED = "employed", _("Works here without an inflow registration")
    RENTING = "renting", _("Rents a home here without an inflow registration")
    TRADING = "trading", _("Runs a business here without an inflow registration")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REGISTERED = "registered", _("Registered")
    DISMISSED = "dismissed", _("Dismissed")


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LeadQuerySet":
        scope = getattr(user, "scope_code", None)
        if scope is None:
            return self.none()
        return self.filter(within_q("unit_id", scope)) if scope else self

    def open(self) -> "LeadQuerySet":
        return self.filter(status=LeadStatus.OPEN)


class Lead(models.Model):
    """Someone a department saw in a village who is not in the registry (R-FEED-2)."""

    kind = models.CharField(_("kind"), max_length=16, choices=LeadKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.OPEN
    )
    unit = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number_cipher = models.BinaryField()
    id_number_index = models.CharField(max_length=64)
    id_number_masked = models.CharField(max_length=18)
    seen_on = models.DateField(_("seen on"), null=True, blank=True)
    source = models.ForeignKey(FeedRecord, on_delete=models.PROTECT, related_name="leads")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same person seen again in a later month stays one open lead.
            models.UniqueConstraint(
                fields=["kind", "unit", "id_number_index"],
                condition=Q(status="open"),
                name="lead_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} ({self.id_number_masked})"
