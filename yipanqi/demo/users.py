"""Demo logins, one per level, placed where the demo population lives (R-ACC-1)."""

import hashlib

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from yipanqi.accounts.models import (
    ADMINISTRATOR_ROLES,
    SEPARATED_ADMIN_ROLES,
    Department,
    Role,
    User,
)
from yipanqi.accounts.passwords import DEMO_PASSWORD
from yipanqi.demo.generate import DEMO_HOME_COUNTY, DEMO_RESIDENCE_COUNTY
from yipanqi.demo.year import FEEDERS
from yipanqi.divisions.models import Division, Level
from yipanqi.people.models import Person

DEFAULT_PASSWORD = DEMO_PASSWORD
# The standard cast's places (STYLE.md, Tests): 深圳南山区 南头街道 南头城社区, 四川三台县 潼川镇.
RESIDENCE_VILLAGE = DEMO_RESIDENCE_COUNTY + "001001"
HOME_TOWNSHIP = DEMO_HOME_COUNTY + "101"


def _busiest(field: str) -> str | None:
    """The village holding the most persons on this side, else the first loaded village."""
    top = (
        Person.objects.filter(**{f"{field}__level": Level.VILLAGE})
        .values(field)
        .annotate(n=Count("id"))
        .order_by("-n", field)
        .first()
    )
    if top:
        return top[field]
    return Division.objects.filter(level=Level.VILLAGE).values_list("code", flat=True).first()


def _places() -> dict[str, str | None]:
    """The jurisdiction of each demo login; None for the national and separated roles."""
    loaded = set(
        Division.objects.filter(code__in=[RESIDENCE_VILLAGE, HOME_TOWNSHIP]).values_list(
            "code", flat=True
        )
    )
    village = RESIDENCE_VILLAGE if RESIDENCE_VILLAGE in loaded else _busiest("residence")
    home_village = None if HOME_TOWNSHIP in loaded else _busiest("home")
    home_township = HOME_TOWNSHIP if HOME_TOWNSHIP in loaded else (home_village or "")[:9]
    if village is None:
        raise LookupError(_("No villages are loaded: run `yipanqi divisions load` first."))
    return {
        "village": village,
        "township": village[:9],
        "county": village[:6],
        "city": village[:4],
        "province": village[:2],
        "home_township": home_township or None,
        # R-FEED-1: the departments of the residence county, one feeder each (demo.year).
        **dict.fromkeys(FEEDERS, village[:6]),
        "national": None,
        "auditor": None,
        "sysadmin": None,
        "secadmin": None,
    }


ROLES = {
    "village": Role.VILLAGE_WORKER,
    "township": Role.TOWNSHIP_OPERATOR,
    "county": Role.COUNTY_ADMIN,
    "city": Role.CITY_ADMIN,
    "province": Role.PROVINCE_ADMIN,
    "home_township": Role.TOWNSHIP_OPERATOR,
    **dict.fromkeys(FEEDERS, Role.DEPARTMENT_FEEDER),
    "national": Role.NATIONAL_ADMIN,
    "auditor": Role.AUDITOR,
    "sysadmin": Role.SYSTEM_ADMIN,
    "secadmin": Role.SECURITY_ADMIN,
}


def demo_usernames() -> list[str]:
    """Every demo login's username."""
    return list(ROLES)


@transaction.atomic
def create_demo_users(password: str = DEFAULT_PASSWORD) -> list[tuple[str, str, str, str]]:
    """Create or update the demo logins; (username, password, role label, jurisdiction path)."""
    logins = []
    for username, code in _places().items():
        role = ROLES[username]
        if code is None and role != Role.NATIONAL_ADMIN and role not in SEPARATED_ADMIN_ROLES:
            continue  # no home-side township loaded
        jurisdiction = Division.objects.get(pk=code) if code else None
        department = FEEDERS.get(username, "")
        label = str(Department(department).label) if department else str(Role(role).label)
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "jurisdiction": jurisdiction,
                "department": department,
                "display_name": f"{label} ({username})",
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
            },
        )
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if role in ADMINISTRATOR_ROLES:
            _ensure_demo_totp(user)
        logins.append(
            (
                username,
                password,
                f"{Role(role).label}（{label}）" if department else label,
                jurisdiction.path_name if jurisdiction else "",
            )
        )
    return logins


def _demo_totp_key(username: str) -> str:
    # Deterministic per demo login, so `yipanqi demo --otp <user>` can answer the second factor.
    return hashlib.sha256(f"yipanqi-demo-totp:{username}".encode()).hexdigest()[:40]


def _ensure_demo_totp(user: User) -> None:
    """Administrators must pass a second factor; demo ones get a known TOTP device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.update_or_create(
        user=user,
        name="demo",
        defaults={"key": _demo_totp_key(user.username), "confirmed": True},
    )


def current_demo_otp(username: str) -> str:
    """The current 6-digit code of a demo administrator's device."""
    from django_otp.oath import TOTP

    user = User.objects.get(username=username)
    if user.role not in ADMINISTRATOR_ROLES:
        raise LookupError(username)
    totp = TOTP(bytes.fromhex(_demo_totp_key(username)))
    return f"{totp.token():06d}"
