"""Password rules (issue 7.1, 等保 identity authentication): classes of characters, no reuse.

Length comes from Django's MinimumLengthValidator; the numbers are set in settings from the
environment (YIPANQI_PASSWORD_MIN_LENGTH, _MIN_CLASSES, _HISTORY, _MAX_AGE_DAYS).
"""

import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of: lower-case letters, capitals, digits, other characters."""
    return sum(
        [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        ]
    )


class CharacterClassesValidator:
    """At least `min_classes` of the four kinds of character."""

    def __init__(self, min_classes: int | None = None):
        self.min_classes = min_classes

    @property
    def required(self) -> int:
        return self.min_classes or settings.PASSWORD_MIN_CLASSES

    def validate(self, password, user=None):
        if character_classes(password) < self.required:
            raise ValidationError(
                _(
                    "Use at least %(n)s of these: small letters, capital letters, digits, "
                    "other characters."
                )
                % {"n": self.required},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Use at least %(n)s of these: small letters, capital letters, digits, other characters."
        ) % {"n": self.required}


class PasswordHistoryValidator:
    """Not the current password, nor one of the last N (PasswordHistory)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        count = settings.PASSWORD_HISTORY_COUNT
        hashes = [user.password] if user.password else []
        hashes += list(user.password_history.values_list("password", flat=True)[:count])
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(
                ngettext(
                    "Choose a password you have not used before.",
                    "Choose a password other than your last %(count)s.",
                    count,
                )
                % {"count": count},
                code="password_reused",
            )

    def get_help_text(self):
        count = settings.PASSWORD_HISTORY_COUNT
        return ngettext(
            "It must differ from your previous password.",
            "It must differ from your last %(count)s passwords.",
            count,
        ) % {"count": count}
