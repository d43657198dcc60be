"""Keeping and searching the directory (R-DIR-1). Every write is one transaction with its audit
row."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import CASEWORK_ROLES, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import Rejected
from yipanqi.directory.models import UnitContact
from yipanqi.divisions.codes import ancestors_of
from yipanqi.divisions.models import within_q
from yipanqi.regions.models import Region, RegionKind

_PHONE_RE = re.compile(r"^[0-9][0-9\- ]{4,28}[0-9]$")
_POSTCODE_RE = re.compile(r"^\d{6}$")
# R-DIR-1: units from township up (levels 1 to 4) publish their details.
MAX_UNIT_LEVEL = 4


@dataclass
class ContactInput:
    unit_name: str
    contact_person: str
    phone: str
    address: str
    title: str = ""
    fax: str = ""
    email: str = ""
    postcode: str = ""


def may_edit_contact(user: User) -> bool:
    """The unit edits its own entry: staff of a township, county, city or province."""
    return (
        user.role in CASEWORK_ROLES
        and user.jurisdiction_id is not None
        and user.jurisdiction.level <= MAX_UNIT_LEVEL
    )


def own_contact(user: User) -> UnitContact | None:
    if not user.jurisdiction_id:
        return None
    return UnitContact.objects.filter(unit_id=user.jurisdiction_id).first()


def save_contact(
    data: ContactInput, *, acting_user: User, origin: Origin | None = None
) -> UnitContact:
    """Create or change the acting user's unit's entry (R-DIR-1)."""
    if not may_edit_contact(acting_user):
        raise Rejected.because(
            _("Units from township up keep their directory entry; a village has none.")
        )
    errors: dict[str, list[str]] = {}
    values = {}
    for name, limit, required in (
        ("unit_name", 100, _("Please enter the unit name.")),
        ("contact_person", 50, _("Please enter the contact person.")),
        ("title", 50, None),
        ("phone", 30, _("Please enter the phone number.")),
        ("fax", 30, None),
        ("email", 100, None),
        ("address", 200, _("Please enter the address.")),
        ("postcode", 6, None),
    ):
        value = (getattr(data, name) or "").strip()
        if not value and required:
            errors[name] = [required]
        elif len(value) > limit:
            errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
        values[name] = value
    for name in ("phone", "fax"):
        if values[name] and name not in errors and not _PHONE_RE.match(values[name]):
            errors[name] = [_("Please enter a phone number of digits, e.g. 0755-12345678.")]
    if values["email"] and "email" not in errors:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Please enter an email address like office@example.cn.")]
    if values["postcode"] and not _POSTCODE_RE.match(values["postcode"]):
        errors["postcode"] = [_("A postcode has 6 digits.")]
    if errors:
        raise Rejected(errors)
    with transaction.atomic():
        contact, created = UnitContact.objects.update_or_create(
            unit_id=acting_user.jurisdiction_id,
            defaults={**values, "updated_by": acting_user, "updated_at": timezone.now()},
        )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="unit_contact",
            object_id=contact.pk,
            detail={"event": "created" if created else "changed"},
        )
    return contact


def region_provinces(province: str) -> set[str]:
    """The provinces sharing a collaboration region (or its own parameters) with a province."""
    provinces = {province}
    for region in Region.objects.exclude(kind=RegionKind.NATIONAL):
        if province in region.provinces:
            provinces.update(region.provinces)
    return provinces


def search_directory(user: User, *, q: str = "", within: str = ""):
    """R-DIR-1: directory entries of every unit in the user's region(s); national users see all."""
    qs = UnitContact.objects.select_related("unit").order_by("unit_id")
    if user.jurisdiction_id:
        provinces = region_provinces(user.jurisdiction_id[:2])
        in_region = Q()
        for province in sorted(provinces):
            in_region |= within_q("unit_id", province)
        qs = qs.filter(in_region)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(
            Q(unit_name__contains=q)
            | Q(unit__path_name__contains=q)
            | Q(contact_person__contains=q)
            | Q(address__contains=q)
        )
    within = (within or "").strip()
    if within.isdigit() and len(within) in (2, 4, 6, 9, 12):
        qs = qs.filter(within_q("unit_id", within))
    return qs


def public_contacts(code: str):
    """The offices that answer for a place, from the place up (R-DIR-2, public fields only)."""
    chain = [*ancestors_of(code), code]
    return (
        UnitContact.objects.filter(unit_id__in=chain)
        .select_related("unit")
        .order_by("-unit__level")
    )
