from urllib.parse import quote

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def drill_person(row, drill):
    """The person a drill-down row is about."""
    return drill.person_of(row)


@register.filter
def drill_day(row, drill):
    """The date that puts a drill-down row in its month."""
    return drill.day_of(row)


@register.simple_tag
def jurisdiction_rows(board, drill_url):
    """The rows of the jurisdictions table, built in Python: a national page has 34 places ×
    every rate, each cell with its value and two drill-down links, and the template engine
    spent most of the page's time on those 500 cells (bench/stats.py; format_html per cell
    still cost 16 ms). Every text put in is escaped here; numbers are formatted here."""
    labels = {r.code: escape(str(r.label)) for r in board.rates}
    codes = {r.code: escape(quote(r.code)) for r in board.rates}
    period = escape(quote(board.period.code))
    drill = escape(drill_url)
    chosen = codes[board.rate.code]
    rows = []
    for row in board.rows:
        at = escape(quote(row.place.code))
        query = f"at={at}&amp;period={period}&amp;rate="
        rows.append(
            f'<tr><td data-value="{escape(row.place.code)}"><a href="?{query}{chosen}">'
            f"{escape(row.place.name)}</a></td>"
        )
        for f in row.figures:
            value = f.value
            link = f"{drill}?{query}{codes[f.rate.code]}&amp;part="
            rows.append(
                f'<td data-value="{"-1" if value is None else f"{value:.4f}"}" '
                f'data-label="{labels[f.rate.code]}">{escape(f.value_text)}'
                f"{_BELOW if f.meets is False else ''}<br>"
                f'<a class="small" href="{link}numerator">{int(f.numerator)}</a>'
                '<span class="small muted">/</span>'
                f'<a class="small" href="{link}denominator">{int(f.denominator)}</a></td>'
            )
        rows.append("</tr>")
    return SafeString("".join(rows))


_BELOW = ' <span class="badge err">!</span>'


@register.filter
def rule_words(rules):
    """A rate's or a scorecard line's rule ids (R-…) in words: no page shows an id (issue 12.9)."""
    from yipanqi.stats.rulewords import in_words

    return in_words(rules)
