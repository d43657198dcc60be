from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.core.crypto import field_cipher
from yipanqi.divisions.models import within_q
from yipanqi.divisions.scope import Scope


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class MaritalStatus(models.TextChoices):
    UNMARRIED = "unmarried", _("Unmarried")
    FIRST_MARRIAGE = "first_marriage", _("First marriage")
    REMARRIED = "remarried", _("Remarried")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")

    @classmethod
    def married(cls) -> set[str]:
        return {cls.FIRST_MARRIAGE, cls.REMARRIED}


class StayReason(models.TextChoices):
    """Why a person stays at the residence. R-JUR-3 keeps the last five out of scope."""

    WORK = "work", _("Work")
    BUSINESS = "business", _("Running a business")
    FAMILY = "family", _("Living with family")
    MARRIAGE = "marriage", _("Marriage")
    OTHER_LIFE = "other_life", _("Other living arrangements")
    BUSINESS_TRIP = "business_trip", _("Business trip")
    MEDICAL = "medical", _("Medical treatment")
    STUDY = "study", _("Study")
    TOURISM = "tourism", _("Tourism")
    VISIT = "visit", _("Visiting relatives or friends")

    @classmethod
    def in_scope(cls) -> set[str]:
        return {cls.WORK, cls.BUSINESS, cls.FAMILY, cls.MARRIAGE, cls.OTHER_LIFE}


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PersonQuerySet":
        """R-ACC-2 / P3: persons whose home or residence lies in the user's subtree; nobody else.

        This is the one place where person scope is decided; every view and endpoint uses it.
        """
        return Scope.of(user).filter(self, "home_id", "residence_id")


def about_visible_persons(queryset, user, path: str = "person"):
    """Rows about the persons the user may see (R-ACC-2, P3), the person at `path`: all of them
    for the national scope (no subquery for the planner to join), none for the roles that work
    with no records, else those of Person.objects.visible_to(user)."""
    scope = Scope.of(user)
    if scope.none:
        return queryset.none()
    if scope.nation:
        return queryset
    return queryset.filter(**{f"{path}__in": Person.objects.visible_to(user).values("pk")})


class Person(models.Model):
    """A natural person, one row per resident ID, shared by the home and residence sides (P3)."""

    id_number_cipher = models.BinaryField()
    # HMAC blind index of the canonical ID number: exact lookup without the plaintext (P5).
    # Unique as a Meta constraint rather than unique=True: PostgreSQL would add a second,
    # pattern-ops ("_like") index that no exact lookup uses.
    id_number_index = models.CharField(max_length=64)
    id_number_masked = models.CharField(max_length=18)
    # No index: the person search matches a part of the name (contains), which no B-tree serves.
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    phone_cipher = models.BinaryField(null=True, blank=True)
    # Compared on import only, never searched: no index to keep up on every write.
    phone_index = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    # 户籍地 and 现居住地, as divisions (village or township where known).
    # Indexed in Meta (scope reads them as code ranges, R-JUR-1), without PostgreSQL's
    # pattern-ops twin that a foreign key to a text key would get.
    home = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home"),
        db_index=False,
    )
    residence = models.ForeignKey(
        "divisions.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("residence"),
        db_index=False,
    )
    marital_status = models.CharField(
        _("marital status"),
        max_length=20,
        choices=MaritalStatus.choices,
        default=MaritalStatus.UNMARRIED,
    )
    # Read from the person (person.spouse), never searched; persons are never deleted.
    spouse = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PersonQuerySet.as_manager()

    class Meta:
        # Every index is paid on each of millions of imported rows (issue 5): only those a
        # query uses. Divisions are never deleted (PROTECT), so no foreign key needs one for
        # the delete check.
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="person_id_number_index")
        ]
        indexes = [
            models.Index(fields=["home"], name="person_home_code"),
            models.Index(fields=["residence"], name="person_residence_code"),
            # The home page's "recently updated": without it, a sort of every person.
            models.Index(fields=["-updated_at", "-id"], name="person_recently_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    def reveal_id_number(self) -> str:
        """The whole ID number. Callers go through people.services.reveal_person (audited)."""
        return field_cipher().decrypt(bytes(self.id_number_cipher), associated=b"person.id")

    def reveal_phone(self) -> str:
        if not self.phone_cipher:
            return ""
        return field_cipher().decrypt(bytes(self.phone_cipher), associated=b"person.phone")


class RegistrationKind(models.TextChoices):
    INFLOW = "inflow", _("Inflow registration")
    OUTFLOW = "outflow", _("Outflow registration")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    """R-REGN-6: why a registration ended. Nothing is ever deleted."""

    RETURNED_HOME = "returned_home", _("Returned to home place")
    MOVED_ON = "moved_on", _("Moved elsewhere")
    DECEASED = "deceased", _("Deceased")
    AGED_OUT = "aged_out", _("Aged out of scope")
    SUPERSEDED = "superseded", _("Replaced by a newer registration")


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.ACTIVE)

    def visible_to(self, user) -> "RegistrationQuerySet":
        return about_visible_persons(self, user)

    def inflow_within(self, code: str) -> "RegistrationQuerySet":
        return self.filter(kind=RegistrationKind.INFLOW).filter(within_q("residence_id", code))

    def outflow_within(self, code: str) -> "RegistrationQuerySet":
        return self.filter(kind=RegistrationKind.OUTFLOW).filter(within_q("home_id", code))


class Registration(models.Model):
    """An inflow (流入) or outflow (流出) registration of a person (R-REGN-1, R-REGN-2)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    kind = models.CharField(max_length=10, choices=RegistrationKind.choices)
    status = models.CharField(
        max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    # Home and residence are read through the (kind, status, place) indexes in Meta; the
    # other foreign keys are never searched on their own (see Person.Meta).
    home = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    residence = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # R-REGN-3: someone who works here but lives elsewhere; their dwelling place is notified.
    dwelling = models.ForeignKey(
        "divisions.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The unit that made the registration (a village or township).
    registered_by_unit = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reason = models.CharField(max_length=20, choices=StayReason.choices)
    arrival_date = models.DateField()  # arrival at residence (inflow) or departure from home
    received_on = models.DateField()  # the day the township received the village's report
    recorded_at = models.DateTimeField(default=timezone.now)
    # R-REGN-1: recorded within 5 working days of receipt.
    recorded_in_time = models.BooleanField(default=True)
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    # R-REGN-4: the day the home side last had news of an outflow person.
    last_contact_on = models.DateField(null=True, blank=True)
    lost_contact = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(status="active"),
                name="registration_one_active_per_kind",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "status", "residence"], name="registration_kind_res"),
            models.Index(fields=["kind", "status", "home"], name="registration_kind_home"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class EventType(models.TextChoices):
    REGISTERED_INFLOW = "registered_inflow", _("Inflow registered")
    REGISTERED_OUTFLOW = "registered_outflow", _("Outflow registered")
    LINKED = "linked", _("Inflow and outflow records linked")
    DETAILS_CHANGED = "details_changed", _("Details changed")
    CLOSED = "closed", _("Registration closed")
    DEPARTED = "departed", _("Left the residence")
    LOST_CONTACT = "lost_contact", _("Lost contact: no news for 60 days")
    CONTACT_RECORDED = "contact_recorded", _("News of the person received")


class PersonEvent(models.Model):
    """One step in a person's timeline; the person page reads these."""

    # Read by person through (person, at); actor and unit are shown, never searched.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    type = models.CharField(max_length=32, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    unit = models.ForeignKey(
        "divisions.Division", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["person", "at"], name="personevent_person_at")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.at:%Y-%m-%d}"
