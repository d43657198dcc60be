"""Exports of the lists a user can see, as CSV or XLSX, streamed and audited (issue 5, item 4).

Each export is its domain's selector (`people.selectors.export_persons`, …: the list's own query,
`visible_to`, the person search, the exchange boxes, and its columns), so it holds exactly what
the user could page through; `core.exports` streams it. ID and phone numbers are masked unless
the user has been granted `can_export_identities` (P5); then they are decrypted row by row and
the audit row says so.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import Rejected
from yipanqi.core.exports import FORMATS, Export
from yipanqi.people import idnumbers

__all__ = ["export", "labels", "may_export_identities"]


def may_export_identities(user) -> bool:
    """P5: whole ID and phone numbers only for users granted it (User.can_export_identities)."""
    return bool(
        user
        and user.is_active
        and getattr(user, "can_see_persons", False)
        and getattr(user, "can_export_identities", False)
    )


def _exports() -> dict[str, tuple[object, Callable[..., Export]]]:
    """Each list's title and its domain's selector, in the order the page offers them."""
    from yipanqi.certificates import selectors as certificates
    from yipanqi.divisions import selectors as divisions
    from yipanqi.exchange import selectors as exchange
    from yipanqi.people import selectors as people
    from yipanqi.stats import selectors as stats

    return {
        "persons": (people.PERSONS, people.export_persons),
        "registrations": (people.REGISTRATIONS, people.export_registrations),
        "requests": (exchange.REQUESTS, exchange.export_requests),
        "certificates": (certificates.CERTIFICATES, certificates.export_certificates),
        "statistics": (stats.STATISTICS, stats.export_statistics),
        "divisions": (divisions.DIVISIONS, divisions.export_divisions),
    }


def labels() -> list[tuple[str, object]]:
    """(name, title) of every export, for the links on the imports page."""
    return [(name, title) for name, (title, _selector) in _exports().items()]


# The division tree is public; every other list is of persons or their casework.
OPEN_TO_ALL = ("divisions",)
# Filters recorded in the audit row (without ID numbers, P5: a searched ID is recorded masked).
AUDITED_FILTERS = ("id_number", "name", "within", "kind", "box", "type", "status", "since", "until")


def export(user, what: str, fmt: str, params: dict, *, origin: Origin | None = None) -> Export:
    """The export of a list the user can see, audited before its first row is read; the caller
    streams it with core.exports.streamed_response."""
    exports = _exports()
    if what not in exports:
        raise Rejected.because(_("There is no such list."))
    if fmt not in FORMATS:
        raise Rejected.because(_("Please choose CSV or XLSX."))
    if what not in OPEN_TO_ALL and not getattr(user, "can_see_persons", False):
        raise Rejected.because(_("You cannot see this list."))
    full = may_export_identities(user)
    built = exports[what][1](user, params, full=full, origin=origin)
    record_event(
        actor=user,
        action=Action.EXPORT,
        origin=origin,
        object_type=what,
        detail={
            "format": fmt,
            "identities": full,
            "filters": {
                k: (idnumbers.mask(idnumbers.normalize(str(v))) if k == "id_number" else str(v))
                for k, v in params.items()
                if v and k in AUDITED_FILTERS
            },
        },
    )
    return built
