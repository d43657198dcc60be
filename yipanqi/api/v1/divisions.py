"""/api/v1/divisions: the statistical division codes (R-JUR-1), readable by every signed-in user."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from yipanqi.divisions.codes import InvalidCode
from yipanqi.divisions.models import Division
from yipanqi.divisions.queries import get_division, list_children, search_divisions

router = Router(tags=["divisions"])


class DivisionOut(Schema):
    code: str = Field(description="Native-length statistical code (2, 4, 6, 9 or 12 digits).")
    name: str
    level: int = Field(description="1 province, 2 city, 3 county, 4 township, 5 village.")
    parent: str | None = Field(description="Code of the parent division; null for a province.")
    path_name: str = Field(description="Display path without placeholder levels (R-JUR-2).")
    is_placeholder: bool = Field(description="A placeholder city such as 市辖区 (R-JUR-2).")

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent_id if isinstance(obj, Division) else obj["parent"]


class DivisionChildOut(DivisionOut):
    via_placeholder: str | None = Field(
        description=(
            "Code of the placeholder city skipped to reach this division (e.g. 1101 for the "
            "districts of 北京); null when the division is a direct child."
        )
    )


class SearchQuery(Schema):
    q: str = Field("", max_length=50, description="Part of the name.")
    within: str | None = Field(None, description="Only inside this code's subtree.")
    level: int | None = Field(None, ge=1, le=5)
    limit: int = Field(20, ge=1, le=100)


def _division(code: str) -> Division:
    try:
        return get_division(code)
    except InvalidCode:
        raise HttpError(422, _("Not a division code.")) from None
    except Division.DoesNotExist:
        raise HttpError(404, _("No division with this code.")) from None


@router.get("", response=list[DivisionOut], summary="Search divisions by name")
def search(request, filters: Query[SearchQuery]):
    try:
        return search_divisions(
            filters.q, within=filters.within, level=filters.level, limit=filters.limit
        )
    except InvalidCode:
        raise HttpError(422, _("Not a division code.")) from None


@router.get("/{code}", response=DivisionOut, summary="One division")
def detail(request, code: str):
    return _division(code)


@router.get(
    "/{code}/children", response=list[DivisionChildOut], summary="Divisions one level below"
)
def children(request, code: str):
    """Placeholder cities are replaced by their own children, marked with via_placeholder."""
    parent = _division(code)
    return [
        {
            "code": child.division.code,
            "name": child.division.name,
            "level": child.division.level,
            "parent": child.division.parent_id,
            "path_name": child.division.path_name,
            "is_placeholder": child.division.is_placeholder,
            "via_placeholder": child.via_placeholder,
        }
        for child in list_children(parent.code)
    ]
