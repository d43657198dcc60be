"""Free services given (R-SVC-1, R-SVC-3), service reports sent home (R-SVC-2), contraceptive
supply points (R-SVC-4) and one-child parents' benefits (R-SVC-5)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.divisions.models import within_q


class ServiceCategory(models.TextChoices):
    SUPPLIES = "supplies", _("Contraceptive supplies")
    CHECKUP = "checkup", _("Check-up")
    PROCEDURE = "procedure", _("Technical procedure")


class ServiceType(models.Model):
    """One entry of the national free list, or another service; data, seeded by migration.

    `basic` marks the services that must be free (R-SVC-1): a charge on one is a violation.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    name_en = models.CharField(max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=ServiceCategory.choices)
    basic = models.BooleanField(_("basic free service"), default=True)
    active = models.BooleanField(default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the page's language (the list is data, not a translatable string)."""
        return self.name if translation.get_language() in (None, "zh-hans") else self.name_en

    @property
    def is_checkup(self) -> bool:
        return self.category == ServiceCategory.CHECKUP


class PersonScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PersonScopedQuerySet":
        """Rows about persons the user may see (P3, R-ACC-2): the person scope decides."""
        from yipanqi.people.models import about_visible_persons

        return about_visible_persons(self, user)


class ServiceRecordQuerySet(PersonScopedQuerySet):
    def violations(self) -> "ServiceRecordQuerySet":
        """R-SVC-1: basic services recorded with a charge."""
        return self.filter(charged_violation=True)

    def given_within(self, code: str) -> "ServiceRecordQuerySet":
        return self.filter(within_q("unit_id", code)) if code else self

    def checkups_in_year(self, person, year: int) -> "ServiceRecordQuerySet":
        return self.filter(
            person=person, service_type__category=ServiceCategory.CHECKUP, given_on__year=year
        )


class ServiceRecord(models.Model):
    """One service given to a person at the residence (R-SVC-1): type, date, provider, charge."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="services", verbose_name=_("person")
    )
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    given_on = models.DateField(_("date given"))
    provider = models.CharField(_("provider"), max_length=100)
    # The unit that recorded the service (the residence side).
    unit = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    amount_charged = models.DecimalField(
        _("amount charged (yuan)"), max_digits=8, decimal_places=2, default=0
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # R-SVC-1: a basic service with a charge; kept as a column so it is counted and listed.
    charged_violation = models.BooleanField(default=False)
    # R-SVC-3: the region's maximum of check-ups in the year, when this one went beyond it.
    checkup_limit_exceeded = models.PositiveSmallIntegerField(null=True, blank=True)
    complaint = models.OneToOneField(
        "grievances.Complaint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Her stay here on that day (the inflow registration within the recording unit's area), or
    # none: R-STAT-1 service coverage counts a stay's first free check-up of each year.
    # Indexed by servicerecord_stay_on, which leads with it.
    registration = models.ForeignKey(
        "people.Registration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [
            models.Index(fields=["person", "given_on"], name="servicerecord_person_on"),
            models.Index(fields=["registration", "given_on"], name="servicerecord_stay_on"),
            models.Index(
                fields=["unit", "given_on"],
                condition=Q(charged_violation=True),
                name="servicerecord_violation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} {self.given_on:%Y-%m-%d}"


class ServiceReport(models.Model):
    """《流动人口避孕节育情况报告单》 sent to the home side through the exchange (R-SVC-2).

    Once the home side has it, it is the proof: no trip home, no home visit, no charge.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="service_reports"
    )
    sender = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    contraception = models.CharField(_("contraceptive method"), max_length=100, blank=True)
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)
    records = models.ManyToManyField(ServiceRecord, related_name="reports")
    request = models.OneToOneField(
        "exchange.Request", on_delete=models.PROTECT, related_name="service_report"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.period_from:%Y-%m-%d}–{self.period_to:%Y-%m-%d}"

    @property
    def number(self) -> str:
        return f"BG{self.created_at:%Y}{self.pk:07d}"


class SupplyPointKind(models.TextChoices):
    SERVICE_STATION = "service_station", _("Family planning service station")
    HEALTH_CENTRE = "health_centre", _("Community health centre")
    DISTRIBUTION_POINT = "distribution_point", _("Supply point")
    DISPENSER = "dispenser", _("Self-service dispenser")

    @classmethod
    def institutions(cls) -> set[str]:
        return {cls.SERVICE_STATION, cls.HEALTH_CENTRE}


class SupplyPointQuerySet(models.QuerySet):
    def active(self) -> "SupplyPointQuerySet":
        return self.filter(active=True)

    def within(self, code: str) -> "SupplyPointQuerySet":
        return self.filter(within_q("division_id", code)) if code else self


class SupplyPoint(models.Model):
    """Where contraceptives are given out, and service institutions (R-SVC-4, R-DIR-2); public."""

    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village or township"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SupplyPointKind.choices)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    hours = models.CharField(_("opening hours"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("in service"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SupplyPointQuerySet.as_manager()

    class Meta:
        ordering = ["division", "name"]
        indexes = [models.Index(fields=["division", "active"], name="supplypoint_division")]

    def __str__(self) -> str:
        return self.name


class BenefitKind(models.TextChoices):
    HONOUR_CERTIFICATE = "honour_certificate", _("One-child parents' honour certificate")
    REWARD = "reward", _("One-child parents' reward")


class Benefit(models.Model):
    """A one-child parents' certificate or reward issued by the home side (R-SVC-5).

    A couple whose homes are in two provinces gets one from each home side; a couple from one
    province gets one. The residence sees it on the person page.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="benefits")
    kind = models.CharField(_("kind"), max_length=20, choices=BenefitKind.choices)
    issuing_unit = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("certificate number"), max_length=40, blank=True)
    issued_on = models.DateField(_("issued on"))
    # A reward is for one year; a certificate has none.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind="honour_certificate"),
                name="benefit_one_certificate_per_person",
            ),
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=Q(kind="reward"),
                name="benefit_one_reward_per_person_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_on:%Y-%m-%d}"
