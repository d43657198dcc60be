"""R-BIRTH-1/2: the first-child workflow at the residence, step by step, each with its
deadline and the unit that owes it; one home township answers late (visible after the sweep);
a file returned for missing documents and resubmitted."""

import datetime as dt

import pytest

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.births import selectors, services
from yipanqi.births.models import BirthEventType, BirthRegistration, BirthStatus
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.exchange import services as exchange
from yipanqi.exchange.models import Request, RequestStatus, RequestType
from yipanqi.exchange.sweep import sweep

from .conftest import HUSBAND_HOME, at

ASKED_ON = dt.date(2026, 3, 4)


def _states(registration, today):
    return [(s.number, s.owner.code if s.owner else "", s.state) for s in
            selectors.steps(registration, today)]  # fmt: skip


def test_first_child_with_one_home_township_late(
    apply, village_worker, township_operator, husband_township, residence_township
):
    """R-BIRTH-2: 7 / 15 / 7 working days, issue at once, notify within 15; the 江苏 township
    answers late, which the sweep marks overdue and the steps show."""
    registration = apply()
    # Step 1 is owed by the residence village, 7 working days from receipt (Tue 3 March).
    step = selectors.next_step(registration, dt.date(2026, 3, 3))
    assert (step.number, step.owner.code, step.due_on) == (1, NANSHAN_VILLAGE, dt.date(2026, 3, 12))

    services.ask_home_townships(registration.pk, acting_user=village_worker, now=at(ASKED_ON))
    confirmations = Request.objects.filter(type=RequestType.BIRTH_CONFIRMATION).order_by("pk")
    assert [(r.sender_id, r.receiver_id) for r in confirmations] == [
        (NANSHAN_VILLAGE, SANTAI_TOWNSHIP),
        (NANSHAN_VILLAGE, HUSBAND_HOME),
    ]
    # Step 2: each home township answers within 15 working days of receipt (R-WD-2).
    assert {r.deadline_days for r in confirmations} == {15}
    due = confirmations[0].due_on
    assert due == dt.date(2026, 3, 25)
    exchange.answer_request(
        confirmations[0].pk, answer="Confirmed.", acting_user=township_operator,
        now=at(dt.date(2026, 3, 10)),
    )  # fmt: skip
    # The 江苏 township has not answered by the due date: after the sweep it is overdue.
    sweep(dt.date(2026, 3, 26))
    late = Request.objects.get(pk=confirmations[1].pk)
    assert late.status == RequestStatus.OVERDUE
    registration.refresh_from_db()
    today = dt.date(2026, 3, 26)
    assert (2, HUSBAND_HOME, "overdue") in _states(registration, today)
    assert (2, SANTAI_TOWNSHIP, "done") in _states(registration, today)
    nxt = selectors.next_step(registration, today)
    assert (nxt.owner.code, nxt.state) == (HUSBAND_HOME, "overdue")
    with pytest.raises(Rejected):
        services.forward_to_township(
            registration.pk, opinion="ok", acting_user=village_worker, now=at(today)
        )

    exchange.answer_request(
        late.pk, answer="Confirmed.", acting_user=husband_township, now=at(dt.date(2026, 3, 30))
    )
    registration.refresh_from_db()
    assert (2, HUSBAND_HOME, "done_late") in _states(registration, dt.date(2026, 3, 30))
    # Step 3: the village forwards within 7 working days of the last answer.
    step = selectors.next_step(registration, dt.date(2026, 3, 30))
    assert (step.number, step.owner.code, step.due_on) == (3, NANSHAN_VILLAGE, dt.date(2026, 4, 9))
    registration = services.forward_to_township(
        registration.pk, opinion="Both confirmed; file complete.", acting_user=village_worker,
        now=at(dt.date(2026, 3, 31)),
    )  # fmt: skip
    # Step 4: the residence township issues at once; step 5: notifies both home townships.
    step = selectors.next_step(registration, dt.date(2026, 3, 31))
    assert (step.number, step.owner.code) == (4, NANSHAN_TOWNSHIP)
    issued = services.issue_registration(
        registration.pk, acting_user=residence_township, now=at(dt.date(2026, 3, 31), 15)
    )
    assert issued.status == BirthStatus.ISSUED and issued.number.startswith("B4403052026")
    notices = Request.objects.filter(type=RequestType.BIRTH_NOTICE).order_by("pk")
    assert [(n.sender_id, n.receiver_id) for n in notices] == [
        (NANSHAN_TOWNSHIP, SANTAI_TOWNSHIP),
        (NANSHAN_TOWNSHIP, HUSBAND_HOME),
    ]
    assert issued.notify_due_on == dt.date(2026, 4, 22)  # 15 working days (清明 4-6 April)
    states = _states(issued, dt.date(2026, 4, 1))
    assert states[-1] == (5, NANSHAN_TOWNSHIP, "done")
    assert selectors.next_step(issued, dt.date(2026, 4, 1)) is None
    assert [e.type for e in issued.events.all()] == [
        BirthEventType.RECEIVED, BirthEventType.ASKED,
        BirthEventType.CONFIRMED, BirthEventType.CONFIRMED,  # issue 12.6: both home townships
        BirthEventType.FORWARDED, BirthEventType.ISSUED, BirthEventType.NOTIFIED,
    ]  # fmt: skip


def test_returned_for_missing_documents_then_resubmitted(
    apply, village_worker, township_operator, husband_township, residence_township
):
    """R-BIRTH-2 step 4 and section 2: a file lacking the marriage certificate is returned with
    that reason only; resubmitted, it is issued."""
    registration = apply(documents=["id_cards", "status_certificate"])
    services.ask_home_townships(registration.pk, acting_user=village_worker, now=at(ASKED_ON))
    for request, user in zip(
        Request.objects.filter(type=RequestType.BIRTH_CONFIRMATION).order_by("pk"),
        [township_operator, husband_township],
        strict=True,
    ):
        exchange.answer_request(request.pk, answer="Confirmed.", acting_user=user)
    services.forward_to_township(registration.pk, opinion="Forwarded.", acting_user=village_worker)
    with pytest.raises(Rejected) as refused:
        services.issue_registration(registration.pk, acting_user=residence_township)
    assert "Marriage certificate" in refused.value.messages()[0]
    with pytest.raises(Rejected) as refused:
        services.return_registration(registration.pk, missing=[], acting_user=residence_township)
    assert "only be returned for missing documents" in refused.value.messages()[0]
    with pytest.raises(Rejected):
        services.return_registration(
            registration.pk, missing=["too_many_children"], acting_user=residence_township
        )
    returned = services.return_registration(
        registration.pk, missing=["marriage_certificate"], note="Please bring the original.",
        acting_user=residence_township,
    )  # fmt: skip
    assert returned.status == BirthStatus.RETURNED
    assert returned.return_reason == "Missing: Marriage certificate. Please bring the original."
    step = selectors.next_step(returned, dt.date.today())
    assert step.owner.code == NANSHAN_VILLAGE and "resubmits" in step.what
    services.forward_to_township(
        registration.pk, opinion="Now complete.",
        documents=["id_cards", "marriage_certificate", "status_certificate"],
        acting_user=village_worker,
    )  # fmt: skip
    issued = services.issue_registration(registration.pk, acting_user=residence_township)
    assert issued.status == BirthStatus.ISSUED
    assert BirthEventType.RESUBMITTED in {e.type for e in issued.events.all()}


def test_one_application_however_often_it_is_sent(apply):
    """R-EX-5 spirit: the same form sent twice is one application."""
    assert apply(key="same") == apply(key="same")
    assert BirthRegistration.objects.count() == 1


def test_only_the_residence_receives_and_only_its_township_issues(
    apply, township_operator, other_county_admin, woman
):
    """R-BIRTH-1: the couple applies at her residence, not at an unrelated office."""
    with pytest.raises(Rejected):
        apply(user=township_operator)
    with pytest.raises(NotFound):
        apply(user=other_county_admin)
    assert not BirthRegistration.objects.exists()
