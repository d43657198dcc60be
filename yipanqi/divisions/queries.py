"""Reads over the division table (R-JUR-1, R-JUR-2), with small per-process caches.

The caches hold reference data that only `load_divisions` changes; it clears them. Tests that
load other data inside a rolled-back transaction call `clear_caches()` afterwards.
"""

from dataclasses import dataclass

from yipanqi.divisions.codes import COUNTY, PROVINCE, InvalidCode, normalize


@dataclass(frozen=True)
class Child:
    """A division offered under a parent; via_placeholder is the skipped placeholder city, if any."""

    division: "Division"  # noqa: F821 (imported lazily to keep this module free of app loading)
    via_placeholder: str | None


_codes_by_level: dict[int, frozenset[str]] = {}


def clear_caches() -> None:
    """Forget cached codes; called by load_divisions and by tests that load other data."""
    _codes_by_level.clear()


def province_codes() -> frozenset[str]:
    """The 2-digit codes of all provinces loaded (cached per process)."""
    return _codes_of_level(PROVINCE)


def is_known_county(code6: str) -> bool:
    """Whether a 6-digit code is a loaded county-level unit (resident-ID area check).

    Plain str in, bool out, so Django-free validators can take it as a callable. Levels 1–3 are
    always loaded in full, also by the test subset, so the answer does not depend on the subset.
    """
    return len(code6) == 6 and code6.isdigit() and code6 in _codes_of_level(COUNTY)


def _codes_of_level(level: int) -> frozenset[str]:
    codes = _codes_by_level.get(level)
    if codes is None:
        from yipanqi.divisions.models import Division

        codes = frozenset(Division.objects.filter(level=level).values_list("code", flat=True))
        if codes:  # an empty answer means "not loaded yet", which must not stick
            _codes_by_level[level] = codes
    return codes


def get_division(code: str):
    """The division with a native or 12-digit padded code; InvalidCode or DoesNotExist otherwise."""
    from yipanqi.divisions.models import Division

    return Division.objects.get(code=normalize(code))


def display_path(code: str) -> str:
    """The display path of a code (e.g. 北京市 › 东城区); the code itself when unknown or invalid."""
    from yipanqi.divisions.models import Division

    try:
        native = normalize(code)
    except InvalidCode:
        return code
    path = Division.objects.filter(code=native).values_list("path_name", flat=True).first()
    return path or code


def list_children(code: str | None) -> list[Child]:
    """Divisions directly below code (provinces when None), placeholder cities replaced by theirs.

    R-JUR-2: under 北京 (11) this lists the districts of 1101 市辖区, each with via_placeholder
    '1101', so a cascading picker never shows a level that does not exist.
    """
    from yipanqi.divisions.models import Division

    if code is None:
        return [Child(d, None) for d in Division.objects.filter(level=PROVINCE)]
    native = normalize(code)
    children = list(Division.objects.filter(parent_id=native))
    placeholders = [d.code for d in children if d.is_placeholder]
    below: dict[str, list] = {p: [] for p in placeholders}
    if placeholders:
        for grandchild in Division.objects.filter(parent_id__in=placeholders):
            below[grandchild.parent_id].append(grandchild)
    result: list[Child] = []
    for child in children:
        if child.is_placeholder:
            result.extend(Child(g, child.code) for g in below[child.code])
        else:
            result.append(Child(child, None))
    return result


def search_divisions(
    q: str = "", *, within: str | None = None, level: int | None = None, limit: int = 20
):
    """Divisions whose name contains q, inside within (a code prefix), at level; top levels first."""
    from yipanqi.divisions.models import Division

    rows = Division.objects.all()
    if within:
        rows = rows.within(normalize(within))
    if level is not None:
        rows = rows.filter(level=level)
    if q:
        rows = rows.filter(name__contains=q)
    return list(rows.order_by("level", "code")[:limit])
