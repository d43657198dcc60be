"""Birth registration (生育服务登记, R-BIRTH-1..3) and birth reports (R-BIRTH-4).

A registration service that issues a record to the family (DOMAIN.md section 2): no quota, no
approval or refusal; a file can only be returned for missing documents, with the reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yipanqi.divisions.scope import Scope
from yipanqi.people.models import Person, Sex, about_visible_persons

# The deadlines of the steps (R-BIRTH-2, R-BIRTH-3) are rule-set keys, read through
# regions.rules.due_for / deadline_for: one rule set for what is stored and what pages show.
ASK_KEY = "birth_ask"  # R-BIRTH-2 step 1: the residence village asks both home townships
CONFIRM_KEY = "birth_confirmation"  # step 2: each home township answers (a request type)
FORWARD_KEY = "birth_forward"  # step 3: the village forwards the file after the last answer
NOTIFY_FIRST_KEY = "birth_notice"  # step 5: the issuing side notifies the other side
NOTIFY_FURTHER_KEY = "birth_notice_further"  # R-BIRTH-3: home notifies the residence


class Route(models.TextChoices):
    RESIDENCE = "residence", _("First child, at the residence")
    HOME = "home", _("At the home side")


class BirthStatus(models.TextChoices):
    RECEIVED = "received", _("Application received")
    CONFIRMING = "confirming", _("Home townships confirming")
    FORWARDED = "forwarded", _("With the residence township")
    RETURNED = "returned", _("Returned for missing documents")
    ISSUED = "issued", _("Registered")


class Document(models.TextChoices):
    """R-BIRTH-1: what the couple brings. Only these can be missing (section 2)."""

    ID_CARDS = "id_cards", _("Both spouses' ID cards")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("Marriage certificate")
    STATUS_CERTIFICATE = (
        "status_certificate",
        _("Home township's certificate of marital and childbearing status"),
    )


class BirthRegistrationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BirthRegistrationQuerySet":
        """R-ACC-2: registrations of women the user may see, and those the user's units handle
        (a husband's home township answers for him)."""
        scope = Scope.of(user)
        if scope.none or scope.nation:  # none or all of them: no subquery for the planner
            return scope.filter(self, "husband_home_id")
        return self.filter(
            Q(woman__in=Person.objects.visible_to(user).values("pk")) | scope.q("husband_home_id")
        )


class BirthRegistration(models.Model):
    """One birth registration with its steps (R-BIRTH-2) or issued at home (R-BIRTH-3)."""

    number = models.CharField(_("number"), max_length=24, unique=True, null=True, blank=True)
    route = models.CharField(max_length=10, choices=Route.choices)
    # 1 = first child. Recorded, never checked against anything (section 2: no quotas).
    child_order = models.PositiveSmallIntegerField(_("child order"), default=1)
    woman = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="birth_registrations")
    husband = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    husband_name = models.CharField(_("husband's name"), max_length=50)
    woman_home = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    husband_home = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+"
    )
    # Where the couple applied: the residence village (route residence) or the home township.
    unit = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    # The township that issues: the residence township, or the home township.
    township = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    # The residence to notify when the home side issues.
    residence = models.ForeignKey(
        "divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BirthStatus.choices, default=BirthStatus.RECEIVED
    )
    # R-BIRTH-1: the documents presented, as a list of Document values.
    documents = models.JSONField(default=list, blank=True)
    received_on = models.DateField(_("received on"))
    ask_due_on = models.DateField(null=True, blank=True)
    asked_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    village_opinion = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    missing = models.JSONField(default=list, blank=True)
    return_reason = models.CharField(max_length=300, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notify_due_on = models.DateField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # R-EX-5 spirit: one application however often the form is sent.
    idempotency_key = models.CharField(max_length=100, unique=True)

    objects = BirthRegistrationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["unit", "status"], name="birthreg_unit_status"),
            models.Index(fields=["township", "status"], name="birthreg_township_status"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def missing_documents(self) -> list[str]:
        return [d for d in Document.values if d not in self.documents]

    def document_labels(self) -> list[str]:
        return [str(Document(d).label) for d in self.documents if d in Document.values]

    def home_townships(self) -> list[str]:
        codes = [self.woman_home_id]
        if self.husband_home_id != self.woman_home_id:
            codes.append(self.husband_home_id)
        return codes


class BirthEventType(models.TextChoices):
    RECEIVED = "received", _("Application received")
    ASKED = "asked", _("Home townships asked to confirm")
    # R-BIRTH-2 step 2: one home township answered its confirmation request.
    CONFIRMED = "confirmed", _("Home township confirmed")
    FORWARDED = "forwarded", _("Forwarded to the township with the village's opinion")
    RETURNED = "returned", _("Returned for missing documents")
    RESUBMITTED = "resubmitted", _("Resubmitted with the missing documents")
    ISSUED = "issued", _("Registration issued")
    NOTIFIED = "notified", _("Other side notified")


class BirthEvent(models.Model):
    """One step in a registration's timeline (events.py: one function per type)."""

    registration = models.ForeignKey(
        BirthRegistration, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    type = models.CharField(max_length=16, choices=BirthEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "divisions.Division", null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The exchange requests the step sent, if any.
    requests = models.ManyToManyField("exchange.Request", blank=True, related_name="birth_events")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["registration", "at"], name="birthevent_reg_at")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.at:%Y-%m-%d}"


class ReportSource(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    RESIDENCE = "residence", _("Residence")


class BirthReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BirthReportQuerySet":
        return about_visible_persons(self, user, "mother")


class BirthReport(models.Model):
    """R-BIRTH-4: a birth, with the child's sex, notified to the home side; feeds R-STAT-5."""

    mother = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="birth_reports")
    birth_date = models.DateField(_("date of birth"))
    child_sex = models.CharField(_("child's sex"), max_length=1, choices=Sex.choices)
    child_name = models.CharField(_("child's name"), max_length=50, blank=True)
    # Which baby of the delivery (twins: 1 and 2): one birth is one report (issue 16.11).
    birth_order = models.PositiveSmallIntegerField(_("child of the delivery"), default=1)
    source = models.CharField(_("reported by"), max_length=10, choices=ReportSource.choices)
    # The jurisdiction where the birth happened (for the sex-ratio monitor), the reporting unit.
    unit = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        BirthRegistration, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    notice = models.ForeignKey(
        "exchange.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(max_length=100, unique=True)
    # A second report of a birth already reported, kept (never deleted) but not counted: only
    # set by migration 0003 on reports made before duplicates were refused.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = BirthReportQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["unit", "birth_date"], name="birthreport_unit_date")]
        constraints = [
            # R-STAT-5: a birth counts once in the sex ratio, whoever reports it (issue 16.11).
            models.UniqueConstraint(
                fields=["mother", "birth_date", "birth_order"],
                condition=models.Q(duplicate_of__isnull=True),
                name="birthreport_one_report_per_child",
            ),
            models.CheckConstraint(
                condition=models.Q(birth_order__gte=1, birth_order__lte=9),
                name="birthreport_birth_order_1_to_9",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mother_id} {self.birth_date:%Y-%m-%d} {self.child_sex}"
