"""Row checks for registration imports: the foundation's rules (people.services), made fast.

Every rule is the registration service's own: the ID number (idnumbers.parse), the age and sex
rules of R-JUR-3 (`person_rule_errors`), the scope of R-JUR-3 (`scope_violations`, cached per
pair of counties and reason), the phone format. Only the order of work differs: a fast check
accepts the common valid ID in about a microsecond and anything doubtful goes to
`idnumbers.parse`, whose verdict and message are the ones the user sees.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from yipanqi.divisions.models import Division
from yipanqi.imports.values import (
    MARITAL,
    REASONS,
    CellError,
    DivisionResolver,
    clean_text,
    parse_choice,
    parse_date,
    parse_sex,
    tag_errors,
)
from yipanqi.people import idnumbers
from yipanqi.people.models import RegistrationKind
from yipanqi.people.services import (
    id_number_error,
    is_valid_phone,
    normalize_phone,
    person_rule_errors,
    scope_violations,
)

_CHECK = "10X98765432"
_PROVINCES = idnumbers._PROVINCES


def fast_id(value: str, today: dt.date, births: dict) -> idnumbers.IdNumber | None:
    """The parsed ID when it is plainly valid, else None (then idnumbers.parse decides).

    The GB 11643 check sum uses weights 2^(17-i) mod 11; since 13 ≡ 2 (mod 11), reading the
    first 17 digits in base 13 and doubling gives the same sum mod 11, in one int() call.
    """
    if (
        len(value) != 18
        or not value.isascii()
        or not value[:17].isdigit()
        or value[:2] not in _PROVINCES
    ):
        return None
    last = value[17]
    if _CHECK[(2 * int(value[:17], 13)) % 11] != last:
        return None
    key = value[6:14]
    birth = births.get(key)
    if birth is None:
        try:
            birth = dt.date(int(key[:4]), int(key[4:6]), int(key[6:]))
        except ValueError:
            return None
        if birth > today or birth.year < 1900:
            return None
        births[key] = birth
    return idnumbers.IdNumber(
        value=value, area_code=value[:6], birth_date=birth, sex="M" if int(value[16]) % 2 else "F"
    )


def parse_id(raw, today: dt.date, births: dict) -> idnumbers.IdNumber:
    """The ID number of a cell, or CellError with the registration service's own message."""
    text = raw if isinstance(raw, str) else clean_text(raw)
    ident = fast_id(text, today, births)
    if ident is not None:
        return ident
    try:
        return idnumbers.parse(text, today=today)
    except idnumbers.InvalidIdNumber as exc:
        raise CellError(id_number_error(exc)) from None


def _label(what: str) -> str:
    """Field names in messages, translated only when a message is written."""
    labels = {
        "home": _("home place"),
        "residence": _("place of residence"),
        "dwelling": _("dwelling place"),
        "reason": _("reason for the stay"),
        "marital": _("marital status"),
    }
    return labels[what]


@dataclass(slots=True)
class Candidate:
    """A row that passed every check that needs no registry lookup."""

    row: int  # 1-based row number in the file
    ident: idnumbers.IdNumber
    name: str
    home: str
    residence: str
    dwelling: str | None
    arrival: dt.date
    received: dt.date
    reason: str
    marital: str
    phone: str
    # Filled by the pipeline's reader (Sealer): the blind index and the stored forms.
    index: str = ""
    id_cipher: bytes = b""
    phone_cipher: bytes | None = None
    phone_index: str = ""
    phone_masked: str = ""


def to_wire(c: Candidate) -> tuple:
    """A sealed candidate as a plain tuple: what the reader process sends (pickling tuples
    is several times cheaper than pickling the slotted objects)."""
    i = c.ident
    return (
        c.row, i.value, i.area_code, i.birth_date, i.sex, c.name, c.home, c.residence,
        c.dwelling, c.arrival, c.received, c.reason, c.marital, c.phone, c.index, c.id_cipher,
        c.phone_cipher, c.phone_index, c.phone_masked,
    )  # fmt: skip


def from_wire(t: tuple) -> Candidate:
    """The candidate that `to_wire` sent."""
    return Candidate(
        row=t[0], ident=idnumbers.IdNumber(t[1], t[2], t[3], t[4]), name=t[5], home=t[6],
        residence=t[7], dwelling=t[8], arrival=t[9], received=t[10], reason=t[11],
        marital=t[12], phone=t[13], index=t[14], id_cipher=t[15], phone_cipher=t[16],
        phone_index=t[17], phone_masked=t[18],
    )  # fmt: skip


class RowChecker:
    """Checks one row of a registration file; holds the caches of one import."""

    def __init__(self, *, kind: str, unit: str, today: dt.date):
        self.kind = kind
        self.unit = unit
        self.today = today
        self.resolver = DivisionResolver(unit)
        self._births: dict[str, dt.date] = {}
        self._scope: dict[tuple[str, str, str], list[str]] = {}
        self._dates: dict = {}
        self._divisions: dict[str, Division] = {}
        # R-REGN-1: inflow by the residence side, outflow by the home side.
        self._own = "residence" if kind == RegistrationKind.INFLOW else "home"

    def check(self, row: int, cells: dict) -> Candidate | list[str]:
        """A Candidate, or the list of what is wrong with the row in plain words, each
        message a RowError naming its field (the job page shows the column, issue 12.16)."""
        errors: list[str] = []
        found = self._check(row, cells, errors)
        if errors:
            tag_errors(errors, 0, "")
            return errors
        return found

    def _check(self, row: int, cells: dict, errors: list) -> Candidate | None:
        ident = None
        raw_id = cells.get("id_number")
        if raw_id in (None, ""):
            errors.append(_("The ID number is missing."))
        else:
            try:
                ident = parse_id(raw_id, self.today, self._births)
            except CellError as exc:
                errors.append(str(exc))
        tag_errors(errors, 0, "id_number")
        mark = len(errors)
        name = clean_text(cells.get("name"))
        if not name:
            errors.append(_("Please enter the person's name."))
        elif len(name) > 50:
            errors.append(_("The name is too long (50 characters at most)."))
        tag_errors(errors, mark, "name")
        if ident is not None:
            mark = len(errors)
            sex = cells.get("sex")
            if sex not in (None, ""):
                try:
                    if parse_sex(sex) != ident.sex:
                        errors.append(
                            _(
                                "The sex does not match the ID number (its 17th digit is odd for "
                                "men and even for women). Please check both."
                            )
                        )
                except CellError as exc:
                    errors.append(str(exc))
            tag_errors(errors, mark, "sex")
            birth = cells.get("birth_date")
            if birth not in (None, ""):
                try:
                    if self._date(birth) != ident.birth_date:
                        errors.append(
                            _("The date of birth does not match digits 7 to 14 of the ID number.")
                        )
                except CellError as exc:
                    errors.append(str(exc))
            tag_errors(errors, 0, "birth_date")
        mark = len(errors)
        home = self._place(cells.get("home_code"), "home", errors)
        tag_errors(errors, mark, "home_code")
        mark = len(errors)
        residence = self._place(cells.get("residence_code"), "residence", errors)
        tag_errors(errors, mark, "residence_code")
        dwelling = None
        if cells.get("dwelling_code") not in (None, ""):
            mark = len(errors)
            dwelling = self._place(cells.get("dwelling_code"), "dwelling", errors)
            tag_errors(errors, mark, "dwelling_code")
        mark = len(errors)
        reason = self._choice(cells.get("reason"), REASONS, "reason", errors)
        tag_errors(errors, mark, "reason")
        mark = len(errors)
        marital = self._choice(cells.get("marital_status"), MARITAL, "marital", errors)
        tag_errors(errors, mark, "marital_status")
        mark = len(errors)
        arrival = self._required_date(cells.get("arrival_date"), errors)
        if arrival is not None and arrival > self.today:
            errors.append(_("The date of arrival cannot be in the future."))
        tag_errors(errors, mark, "arrival_date")
        mark = len(errors)
        received = self.today
        if cells.get("received_on") not in (None, ""):
            try:
                received = self._date(cells["received_on"]) or self.today
            except CellError as exc:
                errors.append(str(exc))
            if received > self.today:
                errors.append(_("The date of receipt cannot be in the future."))
        tag_errors(errors, mark, "received_on")
        mark = len(errors)
        phone = ""
        raw_phone = cells.get("phone")
        if (
            isinstance(raw_phone, str)
            and len(raw_phone) == 11
            and raw_phone[0] == "1"
            and raw_phone.isascii()
            and raw_phone.isdigit()
        ):
            phone = raw_phone  # a plain mobile number: what normalize_phone would return
        elif raw_phone not in (None, ""):
            phone = normalize_phone(clean_text(raw_phone))
            if phone and not is_valid_phone(phone):
                errors.append(
                    _("Please enter an 11-digit mobile number or a landline with its area code.")
                )
        tag_errors(errors, mark, "phone")
        if home and residence and reason:
            errors.extend(self._scope_problems(home, residence, reason))
            own = residence if self._own == "residence" else home
            if not own.startswith(self.unit):
                mark = len(errors)
                errors.append(self._outside_message())
                tag_errors(errors, mark, f"{self._own}_code")
        if ident is not None and arrival is not None and marital:
            for field, messages in person_rule_errors(ident, marital, arrival, self.today).items():
                mark = len(errors)
                errors.extend(messages)
                tag_errors(errors, mark, field)
        if errors:
            return None
        return Candidate(
            row, ident, name, home, residence, dwelling, arrival, received, reason, marital, phone
        )

    def _outside_message(self) -> str:
        if self._own == "residence":
            return _("The place of residence is not in the jurisdiction importing this file.")
        return _("The home place is not in the jurisdiction importing this file.")

    def _date(self, value) -> dt.date | None:
        if isinstance(value, str):
            found = self._dates.get(value)
            if found is None:
                found = parse_date(value)
                self._dates[value] = found
            return found
        return parse_date(value)

    def _required_date(self, value, errors: list[str]) -> dt.date | None:
        try:
            found = self._date(value)
        except CellError as exc:
            errors.append(str(exc))
            return None
        if found is None:
            errors.append(_("Please enter the date of arrival."))
        return found

    def _choice(self, value, table, what: str, errors: list[str]) -> str:
        if value in (None, ""):
            errors.append(_("The %(what)s is missing.") % {"what": _label(what)})
            return ""
        found = table.get(value) if isinstance(value, str) else None
        if found is not None:
            return found
        try:
            return parse_choice(value, table, _label(what))
        except CellError as exc:
            errors.append(str(exc))
            return ""

    def _place(self, value, what: str, errors: list[str]) -> str:
        try:
            code = self.resolver.resolve(value)
        except CellError as exc:
            errors.append(_("%(place)s: %(problem)s") % {"place": _label(what), "problem": exc})
            return ""
        if len(code) < 6:
            errors.append(
                _("Please give the %(place)s down to at least the county or district.")
                % {"place": _label(what)}
            )
            return ""
        return code

    def _scope_problems(self, home: str, residence: str, reason: str) -> list[str]:
        """R-JUR-3 through the service's scope_violations, once per county pair and reason."""
        key = (home[:6], residence[:6], reason)
        found = self._scope.get(key)
        if found is None:
            found = scope_violations(self._division(home), self._division(residence), reason)
            self._scope[key] = found
        return found

    def _division(self, code: str) -> Division:
        division = self._divisions.get(code)
        if division is None:
            division = Division.objects.get(pk=code)
            self._divisions[code] = division
        return division
