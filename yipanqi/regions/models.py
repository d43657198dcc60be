"""Regions and their rule sets (R-REG-1..2): the parameters every deadline, check-up limit,
target and long-term grant is read from."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionKind(models.TextChoices):
    NATIONAL = "national", _("National default")
    REGION = "region", _("Collaboration region")
    PROVINCE = "province", _("Province")


class Region(models.Model):
    """A set of provinces sharing parameters (R-REG-1): a 协作区, one province, or the nation."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    kind = models.CharField(max_length=10, choices=RegionKind.choices)
    # Two-digit province codes; empty for the national default, which covers every pair.
    provinces = models.JSONField(default=list, blank=True)
    # The rotating convenor province (召集方), a two-digit code.
    convenor = models.CharField(_("convenor"), max_length=2, blank=True)

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name

    def covers(self, *province_codes: str) -> bool:
        return self.kind == RegionKind.NATIONAL or all(p in self.provinces for p in province_codes)


class RuleSet(models.Model):
    """One version of a region's parameters, effective from a date (R-REG-1).

    Never edited in place: a change is a new row, so every request keeps the version it used.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="rule_sets")
    effective_from = models.DateField(_("effective from"))
    # Answer deadlines in working days, by request type (rules.deadline_kinds) or workflow step
    # (rules.STEP_DEADLINES).
    deadlines = models.JSONField(default=dict)
    # R-SVC-3: free check-ups per year (minimum and maximum; empty when not set).
    checkups_min_per_year = models.PositiveSmallIntegerField(null=True, blank=True)
    checkups_max_per_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # R-STAT-1 targets in percent, by rate name.
    targets = models.JSONField(default=dict, blank=True)
    # R-CERT-2: this province's rules grant long-term validity (长期有效) to the certificates
    # it issues; meaningful on a province's own rule set.
    certificate_long_term = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["region", "-effective_from", "-id"]
        indexes = [models.Index(fields=["region", "effective_from"], name="ruleset_region_from")]

    def __str__(self) -> str:
        return f"{self.region} {self.effective_from:%Y-%m-%d}"

    def deadline_for(self, request_type: str) -> int | None:
        value = self.deadlines.get(request_type)
        return int(value) if value is not None else None
