"""Exports of the lists a user can see, as CSV or XLSX, streamed and audited (issue 5, item 4).

Each export is the list's own query (`visible_to`, the person search, the exchange boxes), so it
holds exactly what the user could page through. ID and phone numbers are masked unless the user
has been granted `can_export_identities` (P5); then they are decrypted row by row and
the audit row says so. Rows are read with `iterator()` and written as they come: CSV goes out
line by line; XLSX is built row by row in openpyxl's write-only mode and sent in chunks. Every
cell goes through `core.sheets`, so no text a user typed is ever a live formula (issue 16.3).
"""

import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core import sheets
from yipanqi.core.errors import Rejected
from yipanqi.people import idnumbers

FORMATS = ("csv", "xlsx")
CHUNK = 64 * 1024


@dataclass
class Export:
    """A named export: what it lists and its columns, and the rows already scoped."""

    name: str
    title: str
    header: list[str]
    rows: Iterable[list]
    filename: str


def may_export_identities(user) -> bool:
    """P5: whole ID and phone numbers only for users granted it (User.can_export_identities)."""
    return bool(
        user
        and user.is_active
        and getattr(user, "can_see_persons", False)
        and getattr(user, "can_export_identities", False)
    )


def _masked_phone(person, full: bool) -> str:
    if full:
        return person.reveal_phone()
    return person.phone_masked


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _persons(user, params: dict, full: bool, origin) -> Export:
    from yipanqi.people.models import Registration
    from yipanqi.people.services import search_persons

    _need_persons(user)
    criteria = {k: params.get(k, "") for k in ("id_number", "name", "within", "kind")}
    persons = search_persons(user, **{k: v for k, v in criteria.items() if v}, origin=origin)
    header = [pgettext("person", "Name"), _("ID number"), _("Sex"), _("Date of birth"), _("Home place"),
              _("Place of residence"), _("Marital status"), _("Phone"),
              _("Active registrations"), _("Updated")]  # fmt: skip

    def rows():
        chunk = []
        for person in persons.iterator(chunk_size=2000):
            chunk.append(person)
            if len(chunk) == 2000:
                yield from _person_rows(chunk, full, Registration)
                chunk = []
        yield from _person_rows(chunk, full, Registration)

    return Export("persons", _("Persons"), header, rows(), "persons")


def _person_rows(persons, full: bool, Registration) -> Iterator[list]:
    if not persons:
        return
    kinds: dict[int, list[str]] = {}
    for person_id, kind in (
        Registration.objects.active()
        .filter(person_id__in=[p.pk for p in persons])
        .values_list("person_id", "kind")
    ):
        kinds.setdefault(person_id, []).append(kind)
    labels = {"inflow": _("Inflow"), "outflow": _("Outflow")}
    for p in persons:
        yield [
            p.name,
            p.reveal_id_number() if full else p.id_number_masked,
            p.get_sex_display(),
            _date(p.birth_date),
            p.home.path_name if p.home_id else "",
            p.residence.path_name if p.residence_id else "",
            p.get_marital_status_display(),
            _masked_phone(p, full),
            "、".join(labels[k] for k in sorted(kinds.get(p.pk, []))),
            _date(p.updated_at),
        ]


def _registrations(user, params: dict, full: bool, origin) -> Export:
    from yipanqi.people.models import Registration, RegistrationKind

    _need_persons(user)
    qs = Registration.objects.visible_to(user).select_related("person", "home", "residence")
    kind = params.get("kind", "")
    if kind in RegistrationKind.values:
        qs = qs.filter(kind=kind)
    if params.get("status") in ("active", "closed"):
        qs = qs.filter(status=params["status"])
    header = [_("Registration"), _("Status"), pgettext("person", "Name"), _("ID number"), _("Home place"),
              _("Place of residence"), _("Date of arrival or departure"), _("Received on"),
              _("Recorded in time"), _("Closed on")]  # fmt: skip

    def rows():
        for r in qs.order_by("pk").iterator(chunk_size=2000):
            yield [
                r.get_kind_display(),
                r.get_status_display(),
                r.person.name,
                r.person.reveal_id_number() if full else r.person.id_number_masked,
                r.home.path_name,
                r.residence.path_name,
                _date(r.arrival_date),
                _date(r.received_on),
                _("yes") if r.recorded_in_time else _("no"),
                _date(r.closed_on),
            ]

    return Export("registrations", _("Registrations"), header, rows(), "registrations")


def _requests(user, params: dict, full: bool, origin) -> Export:
    from yipanqi.exchange import selectors

    _need_persons(user)
    box = params.get("box") or "inbox"
    if box not in selectors.BOXES:
        raise Rejected.because(_("There is no such list."))
    filters = selectors.Filters(
        type=params.get("type", ""),
        status=params.get("status", ""),
        since=_param_date(params.get("since")),
        until=_param_date(params.get("until")),
    )
    qs = selectors.list_requests(user, box, filters).select_related("rule_set__region")
    header = [_("Number"), _("Type"), pgettext("request party", "From"),
              pgettext("request party", "To"), _("Subject"), pgettext("date", "Sent"), _("Due on"),
              _("Status"), pgettext("date", "Answered"), _("Rule set")]  # fmt: skip

    def rows():
        for r in qs.iterator(chunk_size=2000):
            yield [
                r.pk,
                r.get_type_display(),
                r.sender.path_name,
                r.receiver.path_name,
                r.subject,
                _date(r.created_at),
                _date(r.due_on),
                r.get_status_display(),
                _date(r.answered_at),
                r.rule_reason,
            ]

    return Export("requests", _("Requests"), header, rows(), f"requests-{box}")


def _certificates(user, params: dict, full: bool, origin) -> Export:
    from yipanqi.certificates.models import Certificate

    _need_persons(user)
    qs = Certificate.objects.visible_to(user).select_related("person", "issuer")
    header = [_("Number"), pgettext("person", "Name"), _("ID number"), _("Issued by"), _("Issued on"),
              _("Valid until"), _("Status")]  # fmt: skip

    def rows():
        for c in qs.order_by("pk").iterator(chunk_size=2000):
            yield [
                c.number,
                c.person.name,
                c.person.reveal_id_number() if full else c.person.id_number_masked,
                c.issuer.path_name,
                _date(c.issued_on),
                _("long-term") if c.long_term else _date(c.valid_until),
                c.get_status_display(),
            ]

    return Export("certificates", _("Certificates"), header, rows(), "certificates")


def _statistics(user, params: dict, full: bool, origin) -> Export:
    from yipanqi.divisions.models import Division
    from yipanqi.stats.models import StatCounter

    _need_persons(user)
    scope = user.scope_code or ""
    qs = StatCounter.objects.all()
    if scope:
        qs = qs.filter(division_code__startswith=scope)
    within = (params.get("within") or "").strip()
    if within:
        if not within.isdigit() or (scope and not within.startswith(scope)):
            raise Rejected.because(_("This jurisdiction is outside your own."))
        qs = qs.filter(division_code__startswith=within)
    header = [_("Code"), _("Jurisdiction"), _("Metric"), _("Key"), _("Month"), _("Value")]

    def rows():
        names: dict[str, str] = {"": _("Nation")}
        for c in qs.order_by("division_code", "metric", "period_start", "key").iterator(
            chunk_size=5000
        ):
            if c.division_code not in names:
                names[c.division_code] = (
                    Division.objects.filter(pk=c.division_code)
                    .values_list("path_name", flat=True)
                    .first()
                    or c.division_code
                )
            yield [
                c.division_code,
                names[c.division_code],
                c.metric,
                c.key,
                c.period_start.strftime("%Y-%m"),
                c.value,
            ]

    return Export("statistics", _("Statistics counters"), header, rows(), "statistics")


def _divisions(user, params: dict, full: bool, origin) -> Export:
    from yipanqi.divisions.models import Division

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

    return Export("divisions", _("Divisions"), header, rows(), f"divisions-{within or 'all'}")


def _need_persons(user) -> None:
    if not getattr(user, "can_see_persons", False):
        raise Rejected.because(_("You cannot see this list."))


def _param_date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Rejected.because(_("Please write dates like 2026-03-05.")) from None


BUILDERS: dict[str, Callable] = {
    "persons": _persons,
    "registrations": _registrations,
    "requests": _requests,
    "certificates": _certificates,
    "statistics": _statistics,
    "divisions": _divisions,
}
LABELS = {
    "persons": gettext_lazy("Persons"),
    "registrations": gettext_lazy("Registrations"),
    "requests": gettext_lazy("Requests"),
    "certificates": gettext_lazy("Certificates"),
    "statistics": gettext_lazy("Statistics counters"),
    "divisions": gettext_lazy("Divisions"),
}


def export(
    user, what: str, fmt: str, params: dict, *, origin: Origin | None = None
) -> tuple[str, str, Iterator[bytes]]:
    """(file name, content type, chunks) of an export; audited before the first byte."""
    if what not in BUILDERS:
        raise Rejected.because(_("There is no such list."))
    if fmt not in FORMATS:
        raise Rejected.because(_("Please choose CSV or XLSX."))
    full = may_export_identities(user)
    built = BUILDERS[what](user, params, full, origin)
    record_event(
        actor=user,
        action=Action.EXPORT,
        origin=origin,
        object_type=what,
        detail={
            "format": fmt,
            "identities": full,
            # Filters without ID numbers (P5): a searched ID is recorded masked.
            "filters": {
                k: (idnumbers.mask(idnumbers.normalize(str(v))) if k == "id_number" else str(v))
                for k, v in params.items()
                if v
                and k
                in (
                    "id_number",
                    "name",
                    "within",
                    "kind",
                    "box",
                    "type",
                    "status",
                    "since",
                    "until",
                )
            },  # fmt: skip
        },
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{built.filename}-{stamp}.{fmt}"
    if fmt == "csv":
        return filename, "text/csv; charset=utf-8", _csv_chunks(built)
    return (
        filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _xlsx_chunks(built),
    )


def _csv_chunks(built: Export) -> Iterator[bytes]:
    """UTF-8 with a BOM, so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = sheets.csv_writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(built.header)
    for row in built.rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _xlsx_chunks(built: Export) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheets.sheet_title(built.title))
    sheets.append(sheet, built.header)
    for row in built.rows:
        sheets.append(sheet, row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
