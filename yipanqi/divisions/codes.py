"""Division codes (R-JUR-1) as plain strings of their native length; free of Django.

A division's code has 2, 4, 6, 9 or 12 digits (province, city, county, township, village) and
every descendant's code starts with it. Native lengths keep a stand-in county (441900 东莞市) apart
from its city (4419), which the 12-digit padded form would merge.
"""

LEVEL_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
LENGTH_LEVELS = {length: level for level, length in LEVEL_LENGTHS.items()}

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5


class InvalidCode(ValueError):
    """A string that is not a division code."""


def level_of(code: str) -> int:
    """The level of a native-length code; raises InvalidCode otherwise."""
    if not code.isdigit() or len(code) not in LENGTH_LEVELS:
        raise InvalidCode(code)
    return LENGTH_LEVELS[len(code)]


def subtree_bounds(code: str) -> tuple[str, str]:
    """The half-open string range [code, next) that holds code and all its descendants.

    Upper bound is the prefix plus one, kept to digits only so that every collation orders it the
    same way and a plain B-tree index answers the range (never LIKE).
    """
    level_of(code)
    upper = str(int(code) + 1).zfill(len(code))
    if len(upper) != len(code):  # only an all-nines prefix, which no real division has
        raise InvalidCode(code)
    return code, upper


def ancestors_of(code: str) -> list[str]:
    """Codes of the levels above a native-length code, top first (4403 -> ['44'])."""
    level = level_of(code)
    return [code[: LEVEL_LENGTHS[lvl]] for lvl in range(1, level)]


def normalize(raw: str) -> str:
    """Accept a native code or a 12-digit padded one, return the shortest native form.

    '440305000000' -> '440305'; '4403' -> '4403'. Ambiguous padded forms resolve to the
    deepest level with a non-zero segment, which is the usual meaning of a padded code.
    """
    text = raw.strip()
    if not text.isdigit():
        raise InvalidCode(raw)
    if len(text) != 12:
        level_of(text)
        return text
    for level in (5, 4, 3, 2):
        start = LEVEL_LENGTHS[level - 1]
        if text[start : LEVEL_LENGTHS[level]].strip("0"):
            return text[: LEVEL_LENGTHS[level]]
    return text[:2]


def pad12(code: str) -> str:
    """The 12-digit statistical form of a native code."""
    level_of(code)
    return code.ljust(12, "0")
