"""Notifications an import owes the other side, sent set-based and exactly once (R-EX-2, R-EX-5).

When an inflow registration links to the person's active outflow registration (R-REGN-2), the
residence tells the home side that registered the outflow, through exchange's `send_requests`
(the rule set of R-REG-2, the working-day deadline counted from delivery, R-WD-2, the sent and
delivered events, the counters; one rule choice per province pair and one deadline per number
of days, instead of one per row). The idempotency key is derived from the inflow registration (the natural key's row),
so a re-import or a retried job never sends twice.
"""

import datetime as dt

from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.services import RequestSpec, send_requests

NOTICE_TYPE = RequestType.NOTIFICATION


def notice_key(inflow_registration_id: int) -> str:
    return f"inflow-linked-{inflow_registration_id}"


def send_linked_notices(
    notices: list[tuple[int, int, str]], *, sender: str, acting_user, now: dt.datetime
) -> int:
    """Send one notification per (person id, inflow registration id, home-side unit); returns
    how many were new. Runs inside the import's transaction, with one audit row for them all."""
    pending = [
        (person, registration, receiver)
        for person, registration, receiver in notices
        if not (sender.startswith(receiver) or receiver.startswith(sender))
    ]
    if not pending:
        return 0
    keys = [notice_key(registration) for _p, registration, _r in pending]
    existing = set(
        Request.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    specs = [
        RequestSpec(
            type=NOTICE_TYPE,
            sender_code=sender,
            receiver_code=receiver,
            idempotency_key=notice_key(registration),
            persons=(person,),
            payload={"event": "inflow_registered", "registration": registration},
            subject="流入登记通报",
        )
        for person, registration, receiver in pending
        if notice_key(registration) not in existing
    ]
    if not specs:
        return 0
    sent = send_requests(specs, acting_user=acting_user, now=now, bulk=True)
    return len({request.pk for request in sent})
