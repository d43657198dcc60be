import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yipanqi.divisions.codes import LEVEL_LENGTHS


class Role(models.TextChoices):
    """R-ACC-1 roles. One per account, which keeps the three administrative roles separate."""

    VILLAGE_WORKER = "village_worker", _("Village worker")
    TOWNSHIP_OPERATOR = "township_operator", _("Township operator")
    COUNTY_ADMIN = "county_admin", _("County administrator")
    CITY_ADMIN = "city_admin", _("City administrator")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    DEPARTMENT_FEEDER = "department_feeder", _("Department feeder")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles that work with person records, and the division level each belongs at.
CASEWORK_ROLES = {
    Role.VILLAGE_WORKER: 5,
    Role.TOWNSHIP_OPERATOR: 4,
    Role.COUNTY_ADMIN: 3,
    Role.CITY_ADMIN: 2,
    Role.PROVINCE_ADMIN: 1,
    Role.NATIONAL_ADMIN: 0,
}
# 三员分立: these never see person data.
SEPARATED_ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
# Roles allowed to register persons and answer requests for their jurisdiction.
REGISTERING_ROLES = {Role.VILLAGE_WORKER, Role.TOWNSHIP_OPERATOR}


class User(AbstractUser):
    """A platform user: one jurisdiction, one role (R-ACC-1)."""

    jurisdiction = models.ForeignKey(
        "divisions.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Empty only for national and separated administrative roles."),
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VILLAGE_WORKER)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    objects = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(jurisdiction__isnull=False)
                | models.Q(
                    role__in=["national_admin", "system_admin", "security_admin", "auditor"]
                ),
                name="user_jurisdiction_required_for_role",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def scope_code(self) -> str | None:
        """The code prefix of the subtree this user may see; '' for the whole nation."""
        if self.role in SEPARATED_ADMIN_ROLES or not self.is_active:
            return None
        if self.role == Role.NATIONAL_ADMIN:
            return ""
        if self.jurisdiction_id is None:
            return None
        return self.jurisdiction_id

    @property
    def can_see_persons(self) -> bool:
        return self.scope_code is not None

    @property
    def can_register(self) -> bool:
        return self.role in REGISTERING_ROLES and self.jurisdiction_id is not None

    @property
    def expected_level(self) -> int | None:
        return CASEWORK_ROLES.get(self.role)


def expected_code_length(role: str) -> int | None:
    level = CASEWORK_ROLES.get(role)
    return LEVEL_LENGTHS.get(level) if level else None


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "api") -> tuple["ApiToken", str]:
        key = "yq_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8])
        return token, key

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            not self.revoked
            and self.user.is_active
            and (self.expires_at is None or self.expires_at > now)
        )
