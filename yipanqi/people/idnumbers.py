"""Resident identity numbers (GB 11643-1999), free of Django.

Normalisation accepts what people type: full-width digits, a lower-case x, spaces and hyphens.
"""

import datetime as dt
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Full-width digits and X, and the separators people put in.
_TRANSLATE = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "X", "x": "X"}
)
_STRIP = str.maketrans("", "", " \t\u3000-_")
# Provinces as of the ID scheme, plus Hong Kong, Macao and Taiwan residents' permits (81, 82, 83).
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "81", "82", "83",
}  # fmt: skip


class InvalidIdNumber(ValueError):
    """An ID number that fails a check; `code` says which, for a message in the user's language."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class IdNumber:
    value: str
    area_code: str
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def masked(self) -> str:
        return mask(self.value)

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def normalize(raw: str) -> str:
    """Canonical form: 18 ASCII characters, upper-case X; no validation."""
    return raw.translate(_TRANSLATE).translate(_STRIP).upper()


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Normalise and validate an 18-digit resident ID; raise InvalidIdNumber with a reason code."""
    value = normalize(raw)
    if len(value) != 18:
        raise InvalidIdNumber("length", str(len(value)))
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber("characters")
    if value[:2] not in _PROVINCES:
        raise InvalidIdNumber("area")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    today = today or dt.date.today()  # noqa: DTZ011  (a calendar date, not an instant)
    if birth > today or birth.year < 1900:
        raise InvalidIdNumber("birth_date")
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("check_digit")
    return IdNumber(
        value=value,
        area_code=value[:6],
        birth_date=birth,
        sex="M" if int(value[16]) % 2 else "F",
    )


def mask(value: str) -> str:
    """3201**********123X: the area's first four and the last four characters."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:4] + "*" * 10 + value[14:]


def make(area: str, birth: dt.date, sequence: int, sex: str) -> str:
    """Build a valid ID (tests and demo data): sequence 0..499, odd 17th digit for men."""
    seq = (sequence % 500) * 2 + (1 if sex == "M" else 0)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
