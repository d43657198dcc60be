"""Cell values as people type them: dates in five styles and Excel serials, sexes, marital statuses,
reasons, and places given by division code or by name (resolved to a code, ambiguity refused)."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from yipanqi.divisions.codes import InvalidCode, normalize
from yipanqi.people.models import MaritalStatus, Sex, StayReason

# Full-width digits, letters and the punctuation that comes with them (Chinese input methods).
FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "．": ".", "／": "/", "－": "-", "：": ":", "\u3000": " ", "（": "(", "）": ")", "，": ",",
    }
)  # fmt: skip
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (with Lotus's 1900-02-29)
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


class CellError(ValueError):
    """A cell that cannot be read; the message is for the user, in their language."""


class RowError(str):
    """What is wrong with a row, in plain words, and the field (column) it is about ('' for
    the row as a whole). A str, so reports and joins read it as the message it is."""

    field: str

    def __new__(cls, message: str, field: str = "") -> "RowError":
        error = super().__new__(cls, message)
        error.field = field
        return error

    def __reduce__(self):
        return (RowError, (str(self), self.field))


def tag_errors(errors: list, start: int, field: str) -> None:
    """Mark the messages added to `errors` since `start` as being about `field`."""
    for i in range(start, len(errors)):
        if not isinstance(errors[i], RowError):
            errors[i] = RowError(errors[i], field)


def clean_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).translate(FULL_WIDTH).strip()


def parse_date(value) -> dt.date | None:
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305, an Excel serial or a typed date.

    None for an empty cell; CellError for anything else that is not a real date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(value)
    text = str(value).translate(FULL_WIDTH).strip()
    if not text:
        return None
    match = _DATE.fullmatch(text) or _COMPACT.fullmatch(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CellError(_("%(text)s is not a real date.") % {"text": text[:30]}) from None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_number(float(text))
    raise CellError(
        _("%(text)s is not a date. Please write dates like 2026-03-05.") % {"text": text[:30]}
    )


def _from_number(number: float) -> dt.date:
    if 19000101 <= number <= 21001231 and float(number).is_integer():
        return parse_date(str(int(number)))
    # Excel serials from 1950 to 2100 are the only plausible dates here.
    if 18264 <= number < 73051:
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    raise CellError(_("%(text)s is not a date.") % {"text": str(number)[:30]})


SEXES = {
    "女": Sex.FEMALE, "女性": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE, "2": Sex.FEMALE,
    "男": Sex.MALE, "男性": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE, "1": Sex.MALE,
}  # fmt: skip
MARITAL = {
    "未婚": MaritalStatus.UNMARRIED, "初婚": MaritalStatus.FIRST_MARRIAGE,
    "已婚": MaritalStatus.FIRST_MARRIAGE, "有配偶": MaritalStatus.FIRST_MARRIAGE,
    "再婚": MaritalStatus.REMARRIED, "复婚": MaritalStatus.REMARRIED,
    "离婚": MaritalStatus.DIVORCED, "离异": MaritalStatus.DIVORCED,
    "丧偶": MaritalStatus.WIDOWED, "married": MaritalStatus.FIRST_MARRIAGE,
    "single": MaritalStatus.UNMARRIED,
    **{value: value for value in MaritalStatus.values},
    **{str(label).lower(): value for value, label in (
        ("unmarried", "Unmarried"), ("first_marriage", "First marriage"),
        ("remarried", "Remarried"), ("divorced", "Divorced"), ("widowed", "Widowed"))},
}  # fmt: skip
REASONS = {
    "务工": StayReason.WORK, "务工经商": StayReason.WORK, "打工": StayReason.WORK,
    "工作": StayReason.WORK, "就业": StayReason.WORK, "经商": StayReason.BUSINESS,
    "个体经营": StayReason.BUSINESS, "随迁": StayReason.FAMILY, "随迁家属": StayReason.FAMILY,
    "投亲靠友": StayReason.FAMILY, "家属随迁": StayReason.FAMILY, "婚嫁": StayReason.MARRIAGE,
    "婚姻嫁娶": StayReason.MARRIAGE, "婚姻迁入": StayReason.MARRIAGE,
    "其他": StayReason.OTHER_LIFE, "居住": StayReason.OTHER_LIFE, "出差": StayReason.BUSINESS_TRIP,
    "公务": StayReason.BUSINESS_TRIP, "就医": StayReason.MEDICAL, "治病": StayReason.MEDICAL,
    "学习": StayReason.STUDY, "学习培训": StayReason.STUDY, "上学": StayReason.STUDY,
    "培训": StayReason.STUDY, "旅游": StayReason.TOURISM, "旅游观光": StayReason.TOURISM,
    "探亲": StayReason.VISIT, "探亲访友": StayReason.VISIT, "访友": StayReason.VISIT,
    **{value: value for value in StayReason.values},
    "running a business": StayReason.BUSINESS, "living with family": StayReason.FAMILY,
    "other living arrangements": StayReason.OTHER_LIFE, "business trip": StayReason.BUSINESS_TRIP,
    "medical treatment": StayReason.MEDICAL,
    "visiting relatives or friends": StayReason.VISIT,
}  # fmt: skip


def parse_choice(value, table: dict, what) -> str:
    text = clean_text(value).lower()
    found = table.get(text) or table.get(text.replace(" ", ""))
    if found is None:
        raise CellError(
            _("%(text)s is not a known %(what)s.") % {"text": text[:30] or "—", "what": what}
        )
    return found


def parse_sex(value) -> str:
    found = SEXES.get(value) if isinstance(value, str) else None
    if found is not None:
        return found
    text = clean_text(value)
    if not text:
        return ""
    return parse_choice(text, SEXES, _("sex"))


# Suffixes that forms leave off: 四川 for 四川省, 南头城社区 for 南头城社区居委会.
_NAME_SUFFIXES = ("居民委员会", "村民委员会", "居委会", "村委会", "维吾尔自治区", "壮族自治区",
                  "回族自治区", "自治区", "特别行政区", "省", "市")  # fmt: skip
# A township typed without its ending: 潼川 for 潼川镇.
_TOWNSHIP_SUFFIXES = ("镇", "乡", "街道", "街道办事处")
_NOISE = re.compile(r"[\s,，、·›>\-/()]")


def _key(text: str) -> str:
    """Names compared as typed: half-width, without spaces, brackets and separators."""
    return _NOISE.sub("", text.translate(FULL_WIDTH))


def _short_names(name: str) -> set[str]:
    name = _key(name)
    names = {name}
    for suffix in _NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            names.add(name[: -len(suffix)])
    return names


class DivisionResolver:
    """Turns a code (native, 12-digit padded, full-width) or a name path into a division code.

    Names are read top down ("四川省绵阳市三台县潼川镇"); a path that starts below the province
    ("三台县潼川镇") is looked up inside `context` (the importing jurisdiction's province) first,
    then in the whole country. Two matches are an error: the row must say which one.
    Every distinct text is resolved once per import.
    """

    def __init__(self, context: str = ""):
        from yipanqi.divisions.models import Division

        self.context = context[:2]
        self._cache: dict[str, str | CellError] = {}
        self._children: dict[str | None, list[tuple[str, str, int]]] = {}
        self._exists: dict[str, bool] = {}
        self._loaded: set[str] = set()
        self._by_name: dict[str, list[str]] = {}
        self._townships: dict[tuple, list[str]] = {}
        rows = Division.objects.filter(level__lte=3).values_list(
            "code", "name", "parent_id", "is_placeholder", "level"
        )
        self._names: dict[str, str] = {}
        children: dict[str | None, list] = {}
        for code, name, parent, placeholder, level in rows:
            self._exists[code] = True
            self._names[code] = name
            children.setdefault(parent, []).append((code, name, placeholder, level))
            if not placeholder and level >= 2:
                for short in _short_names(name):
                    self._by_name.setdefault(short, []).append(code)
        self._top = children

    def resolve(self, value) -> str:
        """The division code for a cell; CellError with a plain message otherwise."""
        found = self._cache.get(value) if isinstance(value, str) else None
        if found is None:
            text = clean_text(value)
            found = self._cache.get(text)
            if found is None:
                try:
                    found = self._resolve(text)
                except CellError as exc:
                    found = exc
                self._cache[text] = found
            if isinstance(value, str):
                self._cache[value] = found
        if isinstance(found, CellError):
            raise found
        return found

    def _resolve(self, text: str) -> str:
        if not text:
            raise CellError(_("The place is missing."))
        if text.isdigit():
            try:
                code = normalize(text)
            except InvalidCode:
                raise CellError(
                    _("%(code)s is not a division code.") % {"code": text[:20]}
                ) from None
            if not self._known(code):
                raise CellError(_("There is no division with code %(code)s.") % {"code": code})
            return code
        remaining = _NOISE.sub("", text)
        start = self._walk(None, remaining)
        if start is not None:
            return start
        return self._from_below_province(text, remaining)

    def _known(self, code: str) -> bool:
        """Whether a code exists; below county level a county's whole subtree is read at once."""
        if code not in self._exists:
            from yipanqi.divisions.models import Division, within_q

            county = code[:6]
            if len(code) > 6 and county not in self._loaded:
                self._loaded.add(county)
                for found in Division.objects.filter(within_q("code", county)).values_list(
                    "code", flat=True
                ):
                    self._exists[found] = True
            if code not in self._exists:
                self._exists[code] = Division.objects.filter(pk=code).exists()
        return self._exists[code]

    def _kids(self, parent: str | None) -> list[tuple[str, str, int]]:
        """Real children of a division (placeholder cities replaced by theirs, R-JUR-2)."""
        if parent in self._children:
            return self._children[parent]
        if parent is None or len(parent) < 6 and parent in self._top:
            raw = list(self._top.get(parent, []))
        else:
            raw = []
        if parent is not None and len(parent) >= 4 and not raw:
            from yipanqi.divisions.models import Division

            raw = [
                (c, n, p, lvl)
                for c, n, p, lvl in Division.objects.filter(parent_id=parent).values_list(
                    "code", "name", "is_placeholder", "level"
                )
            ]
        result = []
        for code, name, placeholder, level in raw:
            if placeholder:
                result.extend(self._kids(code))
            else:
                result.append((code, name, level))
        self._children[parent] = result
        return result

    def _walk(self, parent: str | None, remaining: str) -> str | None:
        """Consume names from the front of `remaining` going down from parent; None if stuck
        at the top. Raises CellError when stuck below a division that was found."""
        current = parent
        while remaining:
            best = None
            for code, name, _level in self._kids(current):
                for short in _short_names(name):
                    if remaining.startswith(short) and (best is None or len(short) > best[1]):
                        best = (code, len(short))
            if best is None:
                if current is None:
                    return None
                # "江西省瑞金市": a level left out (the prefecture 赣州市) is found below.
                best = self._descendant(current, remaining)
            if best is None:
                raise CellError(
                    _("%(name)s was not found in %(place)s.")
                    % {"name": remaining[:30], "place": self._path(current)}
                )
            current = best[0]
            remaining = remaining[best[1] :]
            # A stand-in county (441900 东莞市 under 4419 东莞市) is the same place one level down.
            twins = [c for c, n, _lvl in self._kids(current) if n == self._name_of(current)]
            if twins and len(twins) == 1:
                current = twins[0]
        return current

    def _descendant(self, parent: str, remaining: str) -> tuple[str, int] | None:
        """(code, length of the name consumed) of the one division below `parent`, skipping
        levels, whose name starts `remaining`: the longest such name wins. Two divisions of
        that name are an error naming both, since the row must say which one is meant."""
        for length in range(min(len(remaining), 12), 1, -1):
            prefix = remaining[:length]
            codes = sorted(
                {c for c in self._by_name.get(prefix, ()) if c.startswith(parent) and c != parent}
            )
            if not codes and len(parent) >= 2:
                codes = self._townships_named(parent, prefix)
            if len(codes) > 1:
                raise CellError(
                    _(
                        "%(name)s could be several places (%(places)s). Please write the "
                        "place in full or give the division code."
                    )
                    % {"name": prefix, "places": "、".join(self._path(c) for c in codes[:4])}
                )
            if codes:
                return codes[0], length
        return None

    def _townships_named(self, parent: str, prefix: str) -> list[str]:
        """Townships under `parent` (a province, city or county) named `prefix`, suffixes
        such as 镇 written or left out; read from the database once per name and place."""
        key = ("township", parent, prefix)
        found = self._townships.get(key)
        if found is None:
            from yipanqi.divisions.models import Division, within_q

            names = {prefix} | {prefix + suffix for suffix in _TOWNSHIP_SUFFIXES}
            found = sorted(
                Division.objects.filter(within_q("code", parent), level=4, name__in=names)
                .exclude(pk=parent)
                .values_list("code", flat=True)
            )
            self._townships[key] = found
        return found

    def _name_of(self, code: str) -> str:
        return self._names.get(code, "")

    def _path(self, code: str) -> str:
        from yipanqi.divisions.queries import display_path

        return display_path(code)

    def _from_below_province(self, text: str, remaining: str) -> str:
        matches: list[tuple[str, int]] = []
        for length in range(min(len(remaining), 12), 1, -1):
            codes = self._by_name.get(remaining[:length])
            if codes:
                matches = [(code, length) for code in codes]
                break
        if not matches:
            raise CellError(
                _("%(text)s is not a place we know. Please give the division code.")
                % {"text": text[:40]}
            )
        local = [m for m in matches if self.context and m[0].startswith(self.context)]
        chosen = local or matches
        if len({code for code, _length in chosen}) > 1:
            places = "、".join(self._path(code) for code, _length in chosen[:4])
            raise CellError(
                _("%(text)s could be several places (%(places)s). Please give the division code.")
                % {"text": text[:40], "places": places}
            )
        code, length = chosen[0]
        rest = remaining[length:]
        twins = [c for c, n, _lvl in self._kids(code) if n == self._name_of(code)]
        if twins and len(twins) == 1:
            code = twins[0]
        return self._walk(code, rest) if rest else code
