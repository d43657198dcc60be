"""Requests between jurisdictions (R-EX-1..5); their rule sets live in regions (R-REG-1..2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.core.models import TimelineEvent
from yipanqi.divisions.models import within_q
from yipanqi.divisions.scope import Scope


class RequestType(models.TextChoices):
    """What a request asks or tells; later workflows (certificates, births, ...) add types."""

    NOTIFICATION = "notification", _("Notification")
    VERIFICATION = "verification", _("Verification request")
    CO_INVESTIGATION = "co_investigation", _("Co-investigation")
    NO_CERTIFICATE_NOTICE = "no_certificate_notice", _("No-certificate notice")
    DEPARTURE_NOTICE = "departure_notice", _("Departure notice")
    # R-SVC-2: the residence sends the home side the service report (报告单).
    SERVICE_REPORT = "service_report", _("Service report")
    # R-GRV-1: a complaint handed to the jurisdiction that answers for it.
    COMPLAINT_REFERRAL = "complaint_referral", _("Complaint referral")
    # R-CERT-2: the home side tells the residence a certificate was renewed or revoked.
    CERTIFICATE_NOTICE = "certificate_notice", _("Certificate notice")
    # R-CERT-3: the residence tells the home side of a change of marital or childbearing status.
    CERTIFICATE_CHANGE = "certificate_change", _("Change of marital or childbearing status")
    # R-BIRTH-2 step 2: a home township confirms a first-child registration.
    BIRTH_CONFIRMATION = "birth_confirmation", _("Birth registration: confirmation")
    # R-BIRTH-2 step 5, R-BIRTH-3: the side that issued a birth registration tells the other.
    BIRTH_NOTICE = "birth_notice", _("Birth registration notice")
    # R-BIRTH-4: a birth, with the child's sex, notified to the home side.
    BIRTH_REPORT = "birth_report", _("Birth report")


class RequestStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("status", "Delivered")
    ANSWERED = "answered", pgettext_lazy("status", "Answered")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (RequestStatus.SENT, RequestStatus.DELIVERED)
# Still waiting for the receiver's answer.
AWAITING_STATUSES = (
    RequestStatus.SENT,
    RequestStatus.DELIVERED,
    RequestStatus.OVERDUE,
    RequestStatus.ESCALATED,
)
LATE_STATUSES = (RequestStatus.OVERDUE, RequestStatus.ESCALATED)


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RequestQuerySet":
        """Requests whose sender or receiver lies in the user's subtree; the one scope rule.

        R-EX-3's "ancestors of either side see an overdue request" follows: an ancestor's
        subtree holds that side. The escalation target (an ancestor of both) sees it too.
        """
        return Scope.of(user).filter(self, "sender_id", "receiver_id")

    def inbox(self, code: str) -> "RequestQuerySet":
        """What the units under code owe: received requests ('' is the nation)."""
        return self.filter(within_q("receiver_id", code)) if code else self

    def outbox(self, code: str) -> "RequestQuerySet":
        """What others owe the units under code: sent requests."""
        return self.filter(within_q("sender_id", code)) if code else self

    def awaiting(self) -> "RequestQuerySet":
        return self.filter(status__in=AWAITING_STATUSES)

    def overdue(self, *, on=None) -> "RequestQuerySet":
        """Late: marked overdue or escalated, or (given a day) open with due_on before it."""
        late = Q(status__in=LATE_STATUSES)
        if on is not None:
            late |= Q(status__in=OPEN_STATUSES, due_on__lt=on)
        return self.filter(late)


class Request(models.Model):
    """One exchange between two jurisdictions (R-EX-1), typed, with a working-day deadline."""

    type = models.CharField(_("type"), max_length=32, choices=RequestType.choices)
    sender = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("sender")
    )
    receiver = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiver"),
    )
    persons = models.ManyToManyField(
        "people.Person", blank=True, related_name="requests", verbose_name=_("persons")
    )
    payload = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # R-WD-2: counted in working days from delivery; due at the end of this day.
    due_on = models.DateField(_("due on"))
    deadline_days = models.PositiveSmallIntegerField()
    # R-WD-4: a year on the way had no official schedule, weekends only were counted.
    due_fallback = models.BooleanField(default=False)
    rule_set = models.ForeignKey(
        "regions.RuleSet", on_delete=models.PROTECT, related_name="requests"
    )
    rule_reason = models.CharField(max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.SENT
    )
    overdue_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # R-EX-3: the lowest common ancestor; empty (with status escalated) means the nation.
    escalated_to = models.ForeignKey(
        "divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalation_reason = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # R-EX-3 上级协调: the unit now coordinating an escalated request when the common ancestor
    # assigned it to a side or a lower unit; empty means escalated_to (or the nation) itself.
    coordinator = models.ForeignKey(
        "divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # R-EX-5: the same request sent twice exists once.
    idempotency_key = models.CharField(max_length=100, unique=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        indexes = [
            # The sweep's claim: open rows by due date only.
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["sent", "delivered"]),
                name="request_open_due",
            ),
            models.Index(fields=["receiver", "due_on"], name="request_receiver_due"),
            models.Index(fields=["sender", "due_on"], name="request_sender_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} #{self.pk}"

    @property
    def is_awaiting(self) -> bool:
        return self.status in AWAITING_STATUSES

    @property
    def coordinating_code(self) -> str | None:
        """The unit coordinating an escalated request ('' = the nation); None when not escalated."""
        if self.status != RequestStatus.ESCALATED:
            return None
        return self.coordinator_id or self.escalated_to_id or ""

    def can_escalate(self) -> bool:
        return self.status == RequestStatus.OVERDUE

    def answered_late(self) -> bool | None:
        if self.answered_at is None:
            return None
        from yipanqi.workdays.services import local_date

        return local_date(self.answered_at) > self.due_on


class RequestEventType(models.TextChoices):
    SENT = "sent", pgettext_lazy("status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("status", "Delivered")
    ANSWERED = "answered", pgettext_lazy("status", "Answered")
    OVERDUE = "overdue", _("Became overdue")
    ESCALATED = "escalated", _("Escalated to the common higher level")
    # R-EX-3: what the common higher level did with an escalated request.
    DECIDED = "decided", _("Decided by the higher level")
    RESCHEDULED = "rescheduled", _("New due date set by the higher level")
    ASSIGNED = "assigned", _("Assigned by the higher level")
    CLOSED = "closed", _("Closed")


class RequestEvent(TimelineEvent):
    """One step in a request's timeline (see events.py, one function per type)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=16, choices=RequestEventType.choices)
    unit = models.ForeignKey(
        "divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["request", "at"], name="requestevent_request_at")]
