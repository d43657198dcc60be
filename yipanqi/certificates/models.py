"""The marriage and childbearing certificate (《流动人口婚育证明》, R-CERT-1..5), its verifications
at the residence, the residence's interim certificate of marital status, and delegations."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.divisions.models import within_q
from yipanqi.people.models import MaritalStatus, Person, about_visible_persons

# R-CERT-2: valid three years unless the issuing province grants long-term validity.
VALIDITY_YEARS = 3
# A renewal may be made this many days before the expiry (and any time after it).
RENEWAL_WINDOW_DAYS = 90
# R-CERT-3: the residence verifies within 30 days of arrival.
ARRIVAL_VERIFICATION_DAYS = 30
# R-CERT-4: a person without a certificate has 60 days to obtain one.
INTERIM_WINDOW_DAYS = 60


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day years later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REPLACED = "replaced", _("Replaced by a renewal")
    REVOKED = "revoked", _("Revoked")


class PublicState(models.TextChoices):
    """What the QR check shows a verifier, and nothing else (R-CERT-5)."""

    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    UNKNOWN = "unknown", _("Unknown")


class ProxyRelation(models.TextChoices):
    """R-CERT-1: who may apply on her behalf (代办)."""

    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", pgettext_lazy("relation", "Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    SIBLING = "sibling", _("Brother or sister")
    CHILD = "child", _("Adult child")


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CertificateQuerySet":
        """Certificates of the persons the user may see (R-ACC-2): the one person scope."""
        return about_visible_persons(self, user)

    def current(self) -> "CertificateQuerySet":
        return self.filter(status=CertificateStatus.VALID)

    def issued_within(self, code: str) -> "CertificateQuerySet":
        return self.filter(within_q("issuer_id", code)) if code else self


class Certificate(models.Model):
    """One marriage and childbearing certificate; a renewal is a new row (R-CERT-2)."""

    # R-CERT-5: unique, printed on the certificate.
    number = models.CharField(_("number"), max_length=24, unique=True)
    # The opaque key of the public check URL in the QR code; says nothing about the holder.
    token = models.CharField(max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    # R-CERT-1: the home township, or a village it delegated.
    issuer = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    # Empty for a long-term certificate.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    long_term = models.BooleanField(_("long-term validity"), default=False)
    # Her marital and childbearing status as last recorded (at issue, then by verifications).
    marital_status = models.CharField(
        _("marital status"), max_length=20, choices=MaritalStatus.choices
    )
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    # R-CERT-1: a family member applied for her, showing the residence's interim certificate.
    proxy_name = models.CharField(_("applied for by"), max_length=50, blank=True)
    proxy_relation = models.CharField(max_length=20, choices=ProxyRelation.choices, blank=True)
    proxy_interim = models.ForeignKey(
        "certificates.InterimCertificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    renewed_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="valid"), name="certificate_one_valid"
            ),
            models.CheckConstraint(
                condition=Q(long_term=True, valid_until__isnull=True)
                | Q(long_term=False, valid_until__isnull=False),
                name="certificate_validity_or_long_term",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "valid_until"], name="certificate_issuer_until")]

    def __str__(self) -> str:
        return self.number

    def public_state(self, on: dt.date) -> str:
        """R-CERT-5: valid, expired (or replaced by a renewal) or revoked, on a day."""
        if self.status == CertificateStatus.REVOKED:
            return PublicState.REVOKED
        if self.status == CertificateStatus.REPLACED:
            return PublicState.EXPIRED
        if self.valid_until is not None and self.valid_until < on:
            return PublicState.EXPIRED
        return PublicState.VALID

    def is_valid_on(self, on: dt.date) -> bool:
        return self.public_state(on) == PublicState.VALID

    def renewal_opens_on(self) -> dt.date | None:
        if self.long_term or self.valid_until is None:
            return None
        return self.valid_until - dt.timedelta(days=RENEWAL_WINDOW_DAYS)

    def can_renew(self, on: dt.date) -> bool:
        """R-CERT-2: a current, time-limited certificate near or past its expiry."""
        opens = self.renewal_opens_on()
        return self.status == CertificateStatus.VALID and opens is not None and on >= opens

    def can_revoke(self) -> bool:
        return self.status == CertificateStatus.VALID


class VerificationKind(models.TextChoices):
    ARRIVAL = "arrival", _("First verification after arrival")
    ANNUAL = "annual", _("Yearly verification")
    EXTRA = "extra", _("Further verification")


class VerificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VerificationQuerySet":
        return about_visible_persons(self, user, "certificate__person")

    def late(self) -> "VerificationQuerySet":
        return self.filter(late=True)

    def made_within(self, code: str) -> "VerificationQuerySet":
        return self.filter(within_q("unit_id", code)) if code else self


class Verification(models.Model):
    """One check of the certificate by the residence (查验, R-CERT-3): who, when, what changed."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="verifications"
    )
    # The stay (inflow registration) it was verified for; its arrival date starts the 30 days.
    registration = models.ForeignKey(
        "people.Registration", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_on = models.DateField(_("verified on"))
    kind = models.CharField(max_length=10, choices=VerificationKind.choices)
    assessment_year = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    # R-CERT-3: verified after the 30 days; counted against the residence.
    late = models.BooleanField(default=False)
    marital_status_before = models.CharField(max_length=20, choices=MaritalStatus.choices)
    marital_status_after = models.CharField(max_length=20, choices=MaritalStatus.choices)
    children_before = models.PositiveSmallIntegerField()
    children_after = models.PositiveSmallIntegerField()
    # The certificate_change request that told the home side of a change.
    change_notice = models.ForeignKey(
        "exchange.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        ordering = ["verified_on", "id"]
        indexes = [
            models.Index(fields=["registration", "verified_on"], name="verification_reg_on"),
            models.Index(fields=["unit", "verified_on"], name="verification_unit_on"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} {self.verified_on:%Y-%m-%d}"

    @property
    def changed(self) -> bool:
        return (
            self.marital_status_before != self.marital_status_after
            or self.children_before != self.children_after
        )

    @property
    def days_after_arrival(self) -> int:
        return (self.verified_on - self.registration.arrival_date).days


class InterimCertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InterimCertificateQuerySet":
        return about_visible_persons(self, user)

    def open_on(self, day: dt.date) -> "InterimCertificateQuerySet":
        return self.filter(issued_on__lte=day, window_ends_on__gte=day)


class InterimCertificate(models.Model):
    """R-CERT-4: the residence township's certificate of marital status during residence, for a
    person without a certificate, valid for the 60 days she has to obtain one."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="interim_certificates"
    )
    registration = models.ForeignKey(
        "people.Registration", on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    window_ends_on = models.DateField(_("certificate due by"))
    marital_status = models.CharField(max_length=20, choices=MaritalStatus.choices)
    # R-EX-2: the no-certificate notice to the home side.
    notice = models.ForeignKey(
        "exchange.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = InterimCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number

    def is_open_on(self, day: dt.date) -> bool:
        return self.issued_on <= day <= self.window_ends_on


class Delegation(models.Model):
    """R-CERT-1: a home township lets one of its villages issue certificates."""

    township = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=Q(ended_at__isnull=True), name="delegation_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.township_id} → {self.village_id}"


class CertificateEventType(models.TextChoices):
    ISSUED = "issued", _("Certificate issued")
    RENEWED = "renewed", _("Certificate renewed")
    REVOKED = "revoked", _("Certificate revoked")
    VERIFIED = "verified", _("Certificate verified")
    STATUS_CHANGED = "status_changed", _("Marital or childbearing status changed")
    INTERIM_ISSUED = "interim_issued", _("Interim certificate of marital status issued")


class CertificateEvent(models.Model):
    """One step in a person's certificate timeline (events.py: one function per type)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificate_events")
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    type = models.CharField(max_length=20, choices=CertificateEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "divisions.Division", null=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["person", "at"], name="certevent_person_at")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.at:%Y-%m-%d}"
