"""The rules a rate or a scorecard line rests on, in words its readers know (issue 12.9).

Rates and scorecard items keep their DOMAIN.md rule ids (R-…) for the code and the tests; a page,
a spreadsheet or a PDF shows what each rule is about instead, never the id.
"""

import re

from django.utils.translation import gettext_lazy as _

RULE_WORDS = {
    "R-STAT-1": _("the statistics rules"),
    "R-STAT-5": _("sex ratio at birth"),
    "R-REGN-1": _("registration of migrants"),
    "R-REGN-5": _("registration within 30 days of arrival"),
    "R-CERT-1": _("issuing the marriage and childbearing certificate"),
    "R-CERT-3": _("checking the certificate within 30 days of arrival"),
    "R-SVC-1": _("free basic services"),
    "R-EX-2": _("telling the home side within 15 working days"),
    "R-EX-3": _("overdue requests and coordination by the level above"),
    "R-EX-4": _("case co-investigation"),
    "R-GRV-1": _("complaints and reports"),
    "R-FEED-1": _("department reports by the 3rd of the month"),
}
_RULE_ID = re.compile(r"R-[A-Z]+-\d+")


def in_words(rules: str) -> str:
    """'R-STAT-1, R-REGN-1' as the rules' subjects in words; an unknown id is left out."""
    words = [str(RULE_WORDS[rule]) for rule in _RULE_ID.findall(rules or "") if rule in RULE_WORDS]
    return str(_("; ")).join(words)
