"""The one pager of every list page: a page of rows from `?page=N`, with links that keep the
filters of the URL (issue 12.12), and the urgency order of lists with due dates."""

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, When

PER_PAGE = 25


def paginate(request, rows, *, per_page: int | None = None, param: str = "page") -> Page:
    """The page of `rows` that `request.GET[param]` asks for (a bad number gives the first or
    last page, never an error), with the links of the pager template (`with_links`).
    `per_page` defaults to PER_PAGE (read at each call, so a test can make pages short)."""
    paginator = Paginator(rows, per_page or PER_PAGE)
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
    page.last_query = query(last) if page.number < last - 1 else ""
    return page


def by_urgency(queryset, field: str, today: dt.date):
    """Order open work by urgency: what is still on time first, the soonest due first (it can
    still be done in time); then what is overdue, the most recently due first, so that a new
    arrival is never buried under old lapses (issue 12.12); undated rows last."""
    on_time = Case(When(**{f"{field}__gte": today}, then=F(field)))
    return queryset.order_by(on_time.asc(nulls_last=True), F(field).desc(nulls_last=True), "-pk")
