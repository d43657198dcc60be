"""The directory of units (通讯录, R-DIR-1): each unit from township up keeps its own entry."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitContact(models.Model):
    """A unit's contact details, edited by the unit itself, searchable within its region."""

    unit = models.OneToOneField(
        "divisions.Division",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("jurisdiction"),
    )
    unit_name = models.CharField(_("unit name"), max_length=100)
    contact_person = models.CharField(_("contact person"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    email = models.EmailField(_("email"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["unit"]

    def __str__(self) -> str:
        return self.unit_name
