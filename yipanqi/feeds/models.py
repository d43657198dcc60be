"""Department feeds (R-FEED-1, R-FEED-2): each month's report, its rows, and the leads they give
villages and townships."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.accounts.models import Department
from yipanqi.divisions.scope import Scope


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


def feeds_of(department: str) -> list[str]:
    """The feed types a department sends (R-FEED-1), in the order of FeedType."""
    return [feed for feed in FeedType.values if FEED_DEPARTMENT[feed] == department]


class FeedReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FeedReportQuerySet":
        """Reports of the user's subtree; a department feeder sees only their department's."""
        reports = Scope.of(user, feeds=True).filter(self, "unit_id")
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
    # The file it came in (imports): named by label, so that feeds does not import imports.
    job = models.ForeignKey("imports.ImportJob", null=True, blank=True, on_delete=models.PROTECT)
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
        """Leads of units in the user's subtree (R-ACC-2); a feeder sees none (R-FEED-1)."""
        return Scope.of(user).filter(self, "unit_id")

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
