"""The registry's lists as exports: the person search and the registrations a user can see, their
queries and columns (issue 5; written out by core.exports)."""

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from yipanqi.core.exports import Export, cell_date

PERSONS = gettext_lazy("Persons")
REGISTRATIONS = gettext_lazy("Registrations")


def export_persons(user, params: dict, *, full: bool, origin=None) -> Export:
    """The person search's results (its criteria, audited as a search); ID and phone numbers
    whole only with `full` (P5)."""
    from yipanqi.people.services import search_persons

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
                yield from _person_rows(chunk, full)
                chunk = []
        yield from _person_rows(chunk, full)

    return Export("persons", PERSONS, header, rows(), "persons")


def _person_rows(persons, full: bool) -> Iterator[list]:
    from yipanqi.people.models import Registration

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
            cell_date(p.birth_date),
            p.home.path_name if p.home_id else "",
            p.residence.path_name if p.residence_id else "",
            p.get_marital_status_display(),
            p.reveal_phone() if full else p.phone_masked,
            "、".join(labels[k] for k in sorted(kinds.get(p.pk, []))),
            cell_date(p.updated_at),
        ]


def export_registrations(user, params: dict, *, full: bool, origin=None) -> Export:
    """The registrations the user can see, of one kind or status if asked."""
    from yipanqi.people.models import Registration, RegistrationKind

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
                cell_date(r.arrival_date),
                cell_date(r.received_on),
                _("yes") if r.recorded_in_time else _("no"),
                cell_date(r.closed_on),
            ]

    return Export("registrations", REGISTRATIONS, header, rows(), "registrations")


def lost_contact_for(user):
    """R-REGN-4: the user's outflow persons flagged as lost contact (the home side's list)."""
    from yipanqi.divisions.scope import Scope
    from yipanqi.people.models import Registration

    scope = Scope.of(user)
    if scope.none:
        return Registration.objects.none()
    qs = Registration.objects.active().filter(kind="outflow", lost_contact=True)
    if not scope.nation:
        qs = qs.outflow_within(scope.code)
    return qs.select_related("person", "residence").order_by("last_contact_on")
