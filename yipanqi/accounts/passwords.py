"""Password rules (issue 7.1, 等保 identity authentication): classes of characters, no reuse.

Length comes from Django's MinimumLengthValidator; the numbers are set in settings from the
environment (YIPANQI_PASSWORD_MIN_LENGTH, _MIN_CLASSES, _HISTORY, _MAX_AGE_DAYS).
"""

import functools
import gzip
import re
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
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


# Look-alike characters people put in place of letters ("P@ssw0rd", "Al1ce").
_LOOK_ALIKES = {"a": "@4", "e": "3", "i": "1!|", "l": "1!|", "o": "0", "s": "$5", "t": "7+", "g": "9", "b": "8"}  # fmt: skip


# Spaces, dashes, dots and underscores between the parts of a name ("Wang Fang", "wang-fang").
_SEPARATORS = re.compile(r"[\s\-_.]+")


def _look_alike_pattern(word: str) -> re.Pattern:
    return re.compile(
        "".join(
            f"[{re.escape(c + _LOOK_ALIKES[c])}]" if c in _LOOK_ALIKES else re.escape(c)
            for c in word
        )
    )


def _user_words(user) -> list[str]:
    """The user's name, display name, first and last name and e-mail box, lower-case."""
    words = []
    for attribute in ("username", "display_name", "first_name", "last_name", "email"):
        value = str(getattr(user, attribute, "") or "").lower()
        if attribute == "email":
            value = value.partition("@")[0]
        words.append(value)
    return [w for w in dict.fromkeys(words) if w]


class UserNameInPasswordValidator:
    """Issue 16.9: the password may not contain the user's name (or display name, e-mail box),
    even with look-alike characters ("alice2026!", "Al1ce-2026"). Django's
    UserAttributeSimilarityValidator compares whole strings and lets a name with a few digits
    and signs around it through."""

    def __init__(self, min_length: int = 3):
        self.min_length = min_length

    def validate(self, password, user=None):
        if user is None:
            return
        plain = _SEPARATORS.sub("", password.lower())
        for word in _user_words(user):
            word = _SEPARATORS.sub("", word)
            if len(word) >= self.min_length and _look_alike_pattern(word).search(plain):
                raise ValidationError(
                    _("The password must not contain your user name or your name."),
                    code="password_contains_user_name",
                )

    def get_help_text(self):
        return _("It must not contain your user name or your name.")


@functools.cache
def _zxcvbn():
    """zxcvbn, taught Django's list of 20,000 common passwords (in order of frequency) as one
    more dictionary: many Chinese ones (woaini1314, 5201314, qq123456) are on it and not on
    zxcvbn's own, and zxcvbn then also sees them with capitals, look-alikes or a sign added."""
    from zxcvbn import zxcvbn
    from zxcvbn.matching import add_frequency_lists

    path = CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH
    with gzip.open(str(path), "rt", encoding="utf-8") as lines:
        add_frequency_lists({"django_common": [line.strip() for line in lines if line.strip()]})
    return zxcvbn


class StrengthValidator:
    """Issue 16.9: refuse passwords found in breach lists or easy to guess, by zxcvbn's estimate.

    zxcvbn ships the 30,000 most common passwords of leaked lists, dictionaries and names, and
    sees through look-alike letters, keyboard patterns, repeats, dates and years, so
    `P@ssw0rd2026` scores 1 of 4; it is given Django's common-password list as well (_zxcvbn).
    The required score is YIPANQI_PASSWORD_MIN_STRENGTH (0–4, default 3: about 10^8 guesses).
    """

    # zxcvbn's work grows quickly with length; beyond this a password is long enough anyway.
    MAX_CHECKED = 100

    def __init__(self, min_score: int | None = None):
        self.min_score = min_score

    @property
    def required(self) -> int:
        return settings.PASSWORD_MIN_STRENGTH if self.min_score is None else self.min_score

    def validate(self, password, user=None):
        words = ["yipanqi", "一盘棋", *(_user_words(user) if user is not None else [])]
        if _zxcvbn()(password[: self.MAX_CHECKED], user_inputs=words)["score"] < self.required:
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is a common password or close to "
                    "one. Use a few words of your own with digits or signs between them."
                ),
                code="password_too_guessable",
            )

    def get_help_text(self):
        return _("It must not be a common password or easy to guess.")


# The password of every demo login, printed in the README (the demo app creates the logins).
DEMO_PASSWORD = "yipanqi-demo-2026"  # noqa: S105  (a published demo password, not a secret)


class DemoPasswordValidator:
    """Issue 16.9: the demo password printed in the README is refused outside development."""

    def validate(self, password, user=None):
        if not settings.DEV and password.strip().lower() == DEMO_PASSWORD:
            raise ValidationError(
                _("This password is published for the demonstration. Choose your own."),
                code="password_is_demo",
            )

    def get_help_text(self):
        return ""
