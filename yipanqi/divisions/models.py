from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yipanqi.divisions.codes import subtree_bounds

PATH_SEPARATOR = " › "


def within_q(field: str, code: str) -> Q:
    """Q for rows whose division field lies in the subtree of code (R-JUR-1, range not LIKE)."""
    low, high = subtree_bounds(code)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village")


class DivisionQuerySet(models.QuerySet):
    def within(self, code: str) -> "DivisionQuerySet":
        return self.filter(within_q("code", code))

    def real(self) -> "DivisionQuerySet":
        """Without the placeholder cities of R-JUR-2."""
        return self.filter(is_placeholder=False)


class Division(models.Model):
    """One administrative division (R-JUR-1), keyed by its native-length statistical code."""

    code = models.CharField(max_length=12, primary_key=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # R-JUR-2: placeholder cities (市辖区, 县, 省直辖县级行政单位) that are not real levels.
    is_placeholder = models.BooleanField(default=False)
    # Display path with placeholders and repeated names removed, e.g. 北京市 › 东城区.
    path_name = models.CharField(max_length=300, default="")
    edition = models.PositiveSmallIntegerField(default=2023)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="division_level_code")]

    def __str__(self) -> str:
        return self.path_name or self.name

    def within_q(self, field: str) -> Q:
        return within_q(field, self.code)

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)

    @property
    def short_name(self) -> str:
        """The last meaningful name: the name, or for a placeholder city its province's (R-JUR-2)."""
        if self.is_placeholder:
            return self.path_name.split(PATH_SEPARATOR)[0]
        return self.name
