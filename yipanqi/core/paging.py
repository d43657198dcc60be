"""The one pager of every list page: a page of rows from `?page=N`, with links that keep the
filters of the URL (issue 12.12), and the urgency order of lists with due dates.

A list counts at most COUNT_CAP rows (issue 17): past that it says "more than 10,000" and pages
through the first 10,000. Counting every row of a registry-sized list costs a full scan (about
600 ms at a million persons) where the page itself costs a few milliseconds; nobody pages past
the 400th page of a list, they narrow the search.
"""

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, QuerySet, When
from django.utils.functional import cached_property

PER_PAGE = 25
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows: `count` is exact up to the cap, and past it
    `count` is the cap and `capped` is true (the pages are those of the first `cap` rows)."""

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        # SELECT COUNT(*) FROM (... LIMIT cap + 1), unordered: it stops at the cap, through
        # whichever index finds rows fastest (the order changes no count up to the cap).
        queryset = isinstance(rows, QuerySet)
        found = rows.order_by()[: self.cap + 1].count() if queryset else len(rows)
        self.capped = found > self.cap
        return min(found, self.cap)


def paginate(request, rows, *, per_page: int | None = None, param: str = "page") -> Page:
    """The page of `rows` that `request.GET[param]` asks for (a bad number gives the first or
    last page, never an error), with the links of the pager template (`with_links`).
    `per_page` defaults to PER_PAGE and the count stops at COUNT_CAP (both read at each call,
    so a test can make them short)."""
    paginator = CappedPaginator(rows, per_page or PER_PAGE, cap=COUNT_CAP)
    return with_links(request, paginator.get_page(request.GET.get(param)), param)


def with_links(request, page: Page, param: str = "page") -> Page:
    """Give a page the links `core/pager.html` shows: the current query string with only the
    page number changed, so a filtered list pages through the same filter."""
    page.param = param

    def query(number: int) -> str:
        params = request.GET.copy()
        if number == 1:
            params.pop(param, None)
        else:
            params[param] = str(number)
        return "?" + params.urlencode() if params else "?"

    last = page.paginator.num_pages
    page.previous_query = query(page.previous_page_number()) if page.has_previous() else ""
    page.next_query = query(page.next_page_number()) if page.has_next() else ""
    page.first_query = query(1) if page.number > 2 else ""
    # Past the cap the last page shown is not the list's last: no link calls it so.
    capped = getattr(page.paginator, "capped", False)
    page.last_query = query(last) if page.number < last - 1 and not capped else ""
    return page


def by_urgency(queryset, field: str, today: dt.date):
    """Order open work by urgency: what is still on time first, the soonest due first (it can
    still be done in time); then what is overdue, the most recently due first, so that a new
    arrival is never buried under old lapses (issue 12.12); undated rows last."""
    on_time = Case(When(**{f"{field}__gte": today}, then=F(field)))
    return queryset.order_by(on_time.asc(nulls_last=True), F(field).desc(nulls_last=True), "-pk")
