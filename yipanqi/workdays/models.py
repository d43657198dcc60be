from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """An official schedule an administrator loaded (R-WD-4); it replaces the package's year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    # Sorted ISO dates, the same form as the schedule file.
    holidays = models.JSONField(_("holidays"), default=list)
    workdays = models.JSONField(_("make-up working days"), default=list)
    source = models.CharField(_("source"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1900, year__lte=2200),
                name="calendaryear_year_in_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)
