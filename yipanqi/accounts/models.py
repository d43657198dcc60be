import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
# Administrators: a second factor (TOTP) is mandatory for them (issue 7.1).
ADMINISTRATOR_ROLES = {
    Role.COUNTY_ADMIN,
    Role.CITY_ADMIN,
    Role.PROVINCE_ADMIN,
    Role.NATIONAL_ADMIN,
    *SEPARATED_ADMIN_ROLES,
}
# 三员分立 in the administration site: what each separated role may do there, and nothing else
# (the superuser flag grants nothing beyond this). Persons and the audit trail are absent.
ADMIN_SITE_PERMISSIONS = {
    Role.SYSTEM_ADMIN: {
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_apitoken",
        "accounts.change_apitoken",
        "auth.view_group",
    },
    Role.SECURITY_ADMIN: {
        "accounts.view_user",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "core.view_throttle",  # log-in and API back-off: deleting a row lifts it
        "core.delete_throttle",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
    },
}


class Department(models.TextChoices):
    """R-FEED-1: the departments that send monthly reports; a feeder belongs to one of them."""

    PUBLIC_SECURITY = "public_security", _("Public security")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    HEALTH = "health", _("Health")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    HOUSING = "housing", _("Housing and urban-rural development")
    MARKET_REGULATION = "market_regulation", _("Market regulation")


class UserManager(BaseUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`createsuperuser` makes a system administrator, the only role that may hold the flag."""
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A platform user: one jurisdiction, one role (R-ACC-1)."""

    jurisdiction = models.ForeignKey(
        "divisions.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("jurisdiction"),
        help_text=_("Empty only for national and separated administrative roles."),
    )
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.VILLAGE_WORKER
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # R-FEED-1: a department feeder sends only the feeds of this department (feeds.services).
    department = models.CharField(
        _("department"), max_length=24, choices=Department.choices, blank=True, default=""
    )
    # P5: exports show masked ID and phone numbers unless this is granted (imports.exports).
    can_export_identities = models.BooleanField(_("may export whole ID numbers"), default=False)
    # Empty means the password must be changed at the next log-in (issue 7.1, maximum age).
    password_changed_at = models.DateTimeField(
        _("password changed"), null=True, blank=True, default=timezone.now
    )
    # Issue 16.4: raised whenever the password is set (by any path) and when the user is
    # disabled. Sessions (get_session_auth_hash) and API tokens (ApiToken.generation) made under
    # an older generation never work again, even after the user is enabled again.
    credential_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(jurisdiction__isnull=False)
                | models.Q(
                    role__in=["national_admin", "system_admin", "security_admin", "auditor"]
                ),
                name="user_jurisdiction_required_for_role",
            ),
            # 三员分立: the all-powers flag cannot sit on another role's account.
            models.CheckConstraint(
                condition=models.Q(is_superuser=False) | models.Q(role="system_admin"),
                name="user_superuser_only_system_admin",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        new_hash = getattr(self, "_new_password_hash", None)
        new_credentials = getattr(self, "_new_credentials", False)
        update_fields = kwargs.get("update_fields")
        if new_credentials and update_fields is not None:
            extra = {"credential_generation"} | ({"password_changed_at"} if new_hash else set())
            kwargs["update_fields"] = [*update_fields, *sorted(extra - set(update_fields))]
        counted = new_credentials and not self._state.adding
        if counted:
            # Counted in the database, so a stale copy of the user cannot reuse a generation.
            self.credential_generation = models.F("credential_generation") + 1
        elif update_fields is None and not self._state.adding and not args and not kwargs:
            # A full save of a stale copy (an admin form opened before a disable) must not put
            # an older generation back: everything else is written, the generation is not.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "credential_generation"
            ]
        super().save(*args, **kwargs)
        self._new_credentials = False
        if counted:
            self.refresh_from_db(fields=["credential_generation"])
        if new_hash:
            self._new_password_hash = None
            PasswordHistory.remember(self, new_hash)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self._new_credentials = True
        if self._state.adding:
            self.credential_generation += 1
        if raw_password is not None:
            self.password_changed_at = timezone.now()
            self._new_password_hash = self.password

    def set_unusable_password(self):
        self.set_password(None)

    def check_password(self, raw_password):
        def rehash(raw):
            # Django stores a stronger hash of the same password at log-in: not a new password,
            # so no new generation and the password's age is kept.
            self.password = make_password(raw)
            self._password = None
            type(self).objects.filter(pk=self.pk).update(password=self.password)

        return check_password(raw_password, self.password, rehash)

    def _get_session_auth_hash(self, secret=None):
        """Django's HMAC of the password, bound to the credential generation as well, so a
        disable (or any password change) ends every session for good. Generation 0 keeps
        Django's own value: sessions opened before this existed stay valid until then."""
        if not self.credential_generation:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "yipanqi.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.credential_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def password_expired(self, now=None) -> bool:
        """Past the maximum age (YIPANQI_PASSWORD_MAX_AGE_DAYS), or set by an administrator."""
        if self.password_changed_at is None:
            return True
        days = settings.PASSWORD_MAX_AGE_DAYS
        if not days:
            return False
        return (now or timezone.now()) - self.password_changed_at > dt.timedelta(days=days)

    @property
    def needs_second_factor(self) -> bool:
        return self.role in ADMINISTRATOR_ROLES and settings.ADMIN_OTP_REQUIRED

    def has_perm(self, perm, obj=None) -> bool:
        """Role-based (三员分立): only ADMIN_SITE_PERMISSIONS, whatever flags are set."""
        return self.is_active and perm in ADMIN_SITE_PERMISSIONS.get(self.role, set())

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label) -> bool:
        allowed = ADMIN_SITE_PERMISSIONS.get(self.role, set())
        return self.is_active and any(p.startswith(app_label + ".") for p in allowed)

    @property
    def scope_code(self) -> str | None:
        """The code prefix of the subtree this user may see; '' for the whole nation."""
        if self.role in SEPARATED_ADMIN_ROLES or not self.is_active:
            return None
        if self.role == Role.DEPARTMENT_FEEDER:
            # A feeder sends their department's feeds (R-FEED-1) and reads no person record:
            # what they send is matched by the platform, not by them (R-ACC-2, PIPL minimum).
            return None
        if self.role == Role.NATIONAL_ADMIN:
            return ""
        if self.jurisdiction_id is None:
            return None
        return self.jurisdiction_id

    @property
    def feed_scope_code(self) -> str | None:
        """The subtree whose feed reports and import jobs the user sees: a feeder's own
        jurisdiction, for which they send (R-FEED-1); anyone else's person scope."""
        if self.role == Role.DEPARTMENT_FEEDER:
            return self.jurisdiction_id if self.is_active else None
        return self.scope_code

    @property
    def can_see_persons(self) -> bool:
        return self.scope_code is not None

    @property
    def reads_audit_trail(self) -> bool:
        """The auditor, and only the auditor, reads the audit trail (三员分立); the audit app asks
        the user object, so it needs no import of accounts."""
        return self.is_active and self.role == Role.AUDITOR

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

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100, default="api")
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Issue 16.4: a revoked token stays revoked (nothing sets revoked_at back to empty).
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=100, blank=True)
    # The user's credential generation when the token was made: a later password change or
    # disable (a new generation) ends it, whatever path made the change.
    generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "api") -> tuple["ApiToken", str]:
        key = "yq_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=cls.hash_key(key),
            prefix=key[:8],
            generation=user.credential_generation,
        )
        return token, key

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and self.user.is_active
            and self.generation == self.user.credential_generation
            and (self.expires_at is None or self.expires_at > now)
        )


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so that none is reused (issue 7.1)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @classmethod
    def remember(cls, user: User, password_hash: str) -> None:
        cls.objects.create(user=user, password=password_hash)
        keep = cls.objects.filter(user=user).values_list("pk", flat=True)[
            : settings.PASSWORD_HISTORY_COUNT
        ]
        cls.objects.filter(user=user).exclude(pk__in=list(keep)).delete()


class UserSession(models.Model):
    """Which sessions belong to which user, so disabling a user ends them all (issue 7.1)."""

    session_key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class EmergencyCase(models.TextChoices):
    """Issue 12.2: the cases that justify break-the-glass; anything else goes through the
    person's own jurisdictions or an exchange request (R-ACC-2, R-EX-4)."""

    MEDICAL = "medical", _("Medical emergency: the person is being treated now")
    ARRIVED = "arrived", _("The person has moved into our area and is not registered here yet")
    REQUEST = "request", _("A request about this person was sent to or from our unit")


class EmergencyAccess(models.Model):
    """Break-the-glass (issue 7.4): a user opens one person outside their scope, for a while.

    The reason is stated, the grant is audited, and the person's home and residence
    jurisdictions see it in their list of emergency accesses.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="emergency_accesses")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    case = models.CharField(
        _("emergency case"),
        max_length=20,
        choices=EmergencyCase.choices,
        default="",
        blank=True,
    )
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The two jurisdictions at the time of access: they are told, even if the person moves.
    home = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    residence = models.ForeignKey(
        "divisions.Division", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="emergency_active")]

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id} ({self.granted_at:%Y-%m-%d %H:%M})"

    def is_active(self, now=None) -> bool:
        return self.expires_at > (now or timezone.now())


class EmergencyReview(models.Model):
    """Issue 12.2: an emergency access looked at by the security administrator or the auditor.

    Each of the two roles reviews every access once; the review itself is audited."""

    access = models.ForeignKey(EmergencyAccess, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewer_role = models.CharField(max_length=32, choices=Role.choices)
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["access", "reviewer_role"], name="emergency_review_once_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.access_id} reviewed by {self.reviewer} ({self.reviewed_at:%Y-%m-%d})"
