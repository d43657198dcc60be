"""The division tree as an export (issue 5; written out by core.exports)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from yipanqi.core.errors import Rejected
from yipanqi.core.exports import Export
from yipanqi.divisions.models import Division

DIVISIONS = gettext_lazy("Divisions")


def export_divisions(user, params: dict, *, full: bool, origin=None) -> Export:
    """Every division, or a subtree of it: public data, for any signed-in user."""
    within = (params.get("within") or "").strip()
    qs = Division.objects.all()
    if within:
        if not within.isdigit() or len(within) not in (2, 4, 6, 9, 12):
            raise Rejected.because(_("%(code)s is not a division code.") % {"code": within[:20]})
        qs = qs.within(within)
    header = [
        _("Code"),
        pgettext("thing", "Name"),
        _("Level"),
        pgettext("division", "Parent"),
        _("Path"),
    ]

    def rows():
        for d in qs.order_by("code").iterator(chunk_size=5000):
            yield [d.code, d.name, d.get_level_display(), d.parent_id or "", d.path_name]

    return Export("divisions", DIVISIONS, header, rows(), f"divisions-{within or 'all'}")
