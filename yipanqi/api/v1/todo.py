"""/api/v1/todo: the to-do list of the caller's unit (issue 12.11), as the home page shows it:
each duty with its due date and working days left, most urgent first, and the page to act on."""

import datetime as dt
from typing import Literal

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from yipanqi.web.todo import KINDS, todo_list

router = Router(tags=["todo"])

Kind = Literal["verify", "recheck", "renew", "birth", "lead", "request", "lost"]


class TodoIn(Schema):
    kind: Kind | None = Field(None, description="Only duties of this kind")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=200)


class TodoOut(Schema):
    kind: str
    kind_label: str
    who: str
    what: str
    due_on: dt.date | None
    working_days_left: int | None = Field(
        None, description="Working days left until due (R-WD); negative: working days overdue"
    )
    overdue: bool
    url: str = Field(..., description="The web page where the duty is done")


class TodoPageOut(Schema):
    overdue_only: bool = Field(
        ..., description="County and above: only what is overdue in the area"
    )
    counts: dict[str, int]
    count: int
    page: int
    pages: int
    results: list[TodoOut]


@router.get("", response=TodoPageOut, summary="What your unit owes, most urgent first")
def todo(request, filters: Query[TodoIn]):
    """Village and township: every duty of the unit; county and above: what is overdue."""
    found = todo_list(request.auth, timezone.localdate())
    if found is None:
        raise HttpError(403, _("Your role does not give access to person records."))
    items = [i for i in found.items if not filters.kind or i.kind == filters.kind]
    page = Paginator(items, filters.page_size).get_page(filters.page)
    return {
        "overdue_only": found.overdue_only,
        "counts": {k: found.counts[k] for k in KINDS},
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [
            {
                "kind": i.kind,
                "kind_label": i.kind_label,
                "who": i.who,
                "what": i.what,
                "due_on": i.due_on,
                "working_days_left": i.left,
                "overdue": i.overdue,
                "url": request.build_absolute_uri(i.url),
            }
            for i in page.object_list
        ],
    }
