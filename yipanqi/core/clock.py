"""The clock of the jurisdictions (R-WD-2): Beijing time, for every app from the ledger up."""

import datetime as dt
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _

# R-WD-2: a delivery moment becomes a date on the clock of the jurisdictions, Beijing time.
CHINA_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def local_date(moment: dt.date | dt.datetime) -> dt.date:
    """The Beijing-time date of a moment (R-WD-2); a date is returned unchanged."""
    if isinstance(moment, dt.datetime):
        if timezone.is_naive(moment):
            raise ValueError(_("A moment must carry its time zone."))
        return moment.astimezone(CHINA_TZ).date()
    return moment
