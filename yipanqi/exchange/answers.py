"""Canned answers (one tap on a phone), and which of them fit each kind of request (R-EX-1).

A question asks the receiver to confirm facts; a report asks the home side to check what it is
told about one of its people (R-EX-2); a plain notice only needs to be acknowledged. Offering
"no record of this person here" on a plain notice, or "does not match" without saying what,
gives the sender nothing to act on.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from yipanqi.exchange.models import RequestType


@dataclass(frozen=True)
class CannedAnswer:
    code: str
    text: str  # lazy: shown and stored in the answering user's language
    style: str  # the button's class: primary (the expected answer), "" (secondary), danger
    needs_note: bool = False


CONFIRMED = CannedAnswer("confirmed", _("Confirmed: the facts are as stated."), "primary")
RECEIVED = CannedAnswer("received", _("Received; no further action needed."), "primary")
MISMATCH = CannedAnswer("mismatch", _("Not as stated; see the note."), "", needs_note=True)
UNKNOWN = CannedAnswer("unknown", _("This person is not known here."), "danger")

CANNED = {a.code: a for a in (CONFIRMED, RECEIVED, MISMATCH, UNKNOWN)}

# Questions: the receiver confirms facts, or says they differ, or that it has no such person.
QUESTIONS = {
    RequestType.VERIFICATION,
    RequestType.CO_INVESTIGATION,
    RequestType.BIRTH_CONFIRMATION,
}
# Reports about a person to her home side, which checks them against its own records (R-EX-2).
REPORTS = {
    RequestType.SERVICE_REPORT,
    RequestType.BIRTH_REPORT,
    RequestType.NO_CERTIFICATE_NOTICE,
    RequestType.CERTIFICATE_CHANGE,
    RequestType.DEPARTURE_NOTICE,
}


def answers_for(request_type: str) -> list[CannedAnswer]:
    """The canned answers that make sense for a request type, the expected one first."""
    if request_type in QUESTIONS:
        return [CONFIRMED, MISMATCH, UNKNOWN]
    if request_type in REPORTS:
        return [RECEIVED, MISMATCH, UNKNOWN]
    # Plain notices (notification, certificate and birth-registration notices, referrals).
    return [RECEIVED, MISMATCH]


def needs_note_texts() -> set[str]:
    """A needs-note answer's text in English and in Chinese: typed bare, it still needs a note."""
    texts = set()
    for answer in CANNED.values():
        if answer.needs_note:
            for language in ("en", "zh-hans"):
                with override(language):
                    texts.add(str(answer.text).strip())
    return texts
