"""Complaints and reports (投诉举报), assigned to the responsible jurisdiction (R-GRV-1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.core.crypto import field_cipher
from yipanqi.core.models import TimelineEvent
from yipanqi.divisions.models import within_q
from yipanqi.divisions.scope import Scope


class Category(models.TextChoices):
    """What the complaint is about; the first five are the rights violations the spec names."""

    # R-SVC-1: a basic service is free.
    CHARGED_FOR_FREE_SERVICE = "charged_free_service", _("Charged for a free service")
    # R-SVC-2: the service report is the proof; nobody has to travel home for a check.
    TOLD_TO_RETURN_HOME = "told_to_return_home", _("Told to return home for a check-up")
    # R-CERT-1: issued free, with no obligation attached.
    CERTIFICATE_REFUSED = "certificate_refused", _("Certificate refused")
    CERTIFICATE_DELAYED = "certificate_delayed", _("Certificate delayed")
    CERTIFICATE_CONDITIONAL = "certificate_conditional", _("Certificate made conditional")
    SERVICE_NOT_GIVEN = "service_not_given", _("Free service not given")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
    OTHER = "other", _("Other")

    @classmethod
    def rights_violations(cls) -> set[str]:
        return {
            cls.CHARGED_FOR_FREE_SERVICE,
            cls.TOLD_TO_RETURN_HOME,
            cls.CERTIFICATE_REFUSED,
            cls.CERTIFICATE_DELAYED,
            cls.CERTIFICATE_CONDITIONAL,
        }


class Channel(models.TextChoices):
    PUBLIC_FORM = "public_form", _("Public form")
    STAFF = "staff", _("Entered by staff")
    HOTLINE = "hotline", _("12356 hotline")
    AUTOMATIC = "automatic", _("Opened automatically")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Being handled")
    ANSWERED = "answered", pgettext_lazy("status", "Answered")


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ComplaintQuerySet":
        """Complaints assigned to, or filed by, a unit in the user's subtree; the one scope rule."""
        return Scope.of(user).filter(self, "assigned_to_id", "filed_by_unit_id")

    def assigned_within(self, code: str) -> "ComplaintQuerySet":
        return self.filter(within_q("assigned_to_id", code)) if code else self

    def open(self) -> "ComplaintQuerySet":
        return self.filter(status=ComplaintStatus.OPEN)

    def overdue(self, *, on) -> "ComplaintQuerySet":
        return self.filter(status=ComplaintStatus.OPEN, due_on__lt=on)


class Complaint(models.Model):
    """One complaint: who it is for, by when it must be answered, and the answer (R-GRV-1).

    The complainant follows it with the reference and a secret; only the secret's hash is kept.
    """

    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    secret_hash = models.CharField(max_length=64)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    description = models.TextField(_("what happened"))
    # The place the complaint is about, as chosen (or derived), and who answers for it.
    place = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    assigned_to = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible jurisdiction"),
    )
    # Empty for a citizen's complaint; the staff member's unit otherwise.
    filed_by_unit = models.ForeignKey(
        "divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("person"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=50, blank=True)
    # P5: the complainant's phone is personal information: encrypted, shown masked.
    contact_cipher = models.BinaryField(null=True, blank=True)
    contact_masked = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("answer due"))
    deadline_days = models.PositiveSmallIntegerField()
    due_fallback = models.BooleanField(default=False)
    rule_reason = models.CharField(max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_late = models.BooleanField(null=True)
    # R-GRV-1: how often the complaint went one level up for lateness (by the sweep or by hand).
    escalations = models.PositiveSmallIntegerField(default=0)
    # The exchange request that handed the complaint to another jurisdiction, if any.
    referral = models.OneToOneField(
        "exchange.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A keyed hash of the client address of a public complaint, for the rate limit only.
    origin_hash = models.CharField(max_length=64, blank=True, db_index=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status="open"), name="complaint_open_due"),
            models.Index(fields=["assigned_to", "received_at"], name="complaint_assigned_at"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_rights_violation(self) -> bool:
        return self.category in Category.rights_violations()

    def reveal_contact(self) -> str:
        if not self.contact_cipher:
            return ""
        return field_cipher().decrypt(bytes(self.contact_cipher), associated=b"complaint.contact")


class ComplaintEventType(models.TextChoices):
    FILED = "filed", _("Complaint received")
    ASSIGNED = "assigned", _("Assigned to the responsible jurisdiction")
    REFERRED = "referred", _("Handed over through the exchange")
    ANSWERED = "answered", pgettext_lazy("status", "Answered")
    TRANSFERRED = "transferred", _("Transferred to another unit")
    ESCALATED = "escalated", _("Escalated to the next level up")


class ComplaintEvent(TimelineEvent):
    """One step in a complaint's timeline (events.py, one function per type)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=16, choices=ComplaintEventType.choices)
    unit = models.ForeignKey(
        "divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
