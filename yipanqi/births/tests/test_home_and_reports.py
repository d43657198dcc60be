"""R-BIRTH-3: further children at the woman's home side (either home for a two-province couple)
notifying the residence within 7 working days; R-BIRTH-4: birth reports with the child's sex
notified home."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.births import selectors, services
from yipanqi.births.models import BirthReport, BirthStatus, Route
from yipanqi.core.errors import Rejected
from yipanqi.exchange.models import Request, RequestType

from .conftest import ALL_DOCUMENTS, HUSBAND_HOME, at


def _home(woman, user, *, order=2, husband_home=HUSBAND_HOME, documents=ALL_DOCUMENTS, key="h1"):
    return services.register_at_home(
        services.BirthInput(
            woman_id=woman.pk, husband_name="张伟", husband_home_code=husband_home,
            documents=list(documents), idempotency_key=key, child_order=order,
        ),
        acting_user=user,
        now=at(dt.date(2026, 5, 6)),
    )  # fmt: skip


def test_further_child_at_her_home_notifies_residence_within_7(woman, township_operator):
    """R-BIRTH-3: registered and issued at once by her home township; the residence notified."""
    registration = _home(woman, township_operator)
    assert registration.route == Route.HOME and registration.status == BirthStatus.ISSUED
    assert registration.child_order == 2
    notice = Request.objects.get(type=RequestType.BIRTH_NOTICE)
    assert (notice.sender_id, notice.receiver_id) == (SANTAI_TOWNSHIP, NANSHAN_VILLAGE)
    # 7 working days from Wednesday 6 May, counting the make-up working day Saturday 9 May.
    assert registration.notify_due_on == dt.date(2026, 5, 14)
    assert selectors.steps(registration, dt.date(2026, 5, 6))[-1].state == "done"


def test_either_home_for_a_two_province_couple(woman, register_inflow):
    """R-BIRTH-3: the husband's home township (another province) may register too."""
    from conftest import make_user

    husband_township = make_user("hank", "township_operator", HUSBAND_HOME)
    # His township sees her once he is registered as her spouse's home; here we act through
    # the service with her id, which it may read because the registration names his home.
    assert services.may_register_at_home(husband_township, woman, HUSBAND_HOME)
    same_province = make_user("sue", "township_operator", "510722104")
    assert not services.may_register_at_home(same_province, woman, "510722104")


def test_home_side_needs_the_documents(woman, township_operator):
    """R-BIRTH-1 documents; nothing is written when one is missing."""
    with pytest.raises(Rejected) as refused:
        _home(woman, township_operator, documents=["id_cards"])
    assert "documents" in refused.value.errors
    assert not Request.objects.filter(type=RequestType.BIRTH_NOTICE).exists()


def test_birth_report_with_sex_notified_home(woman, village_worker, township_operator):
    """R-BIRTH-4: the residence reports a birth with the child's sex; home is notified."""
    report = services.report_birth(
        services.BirthReportInput(
            mother_id=woman.pk, birth_date=dt.date(2026, 10, 1), child_sex="F",
            idempotency_key="r1",
        ),
        acting_user=village_worker,
        now=at(dt.date(2026, 10, 3)),
    )  # fmt: skip
    assert report.child_sex == "F" and report.unit_id == NANSHAN_VILLAGE
    assert (report.notice.type, report.notice.receiver_id) == (
        RequestType.BIRTH_REPORT,
        SANTAI_TOWNSHIP,
    )
    assert report.notice.payload["child_sex"] == "F"
    assert Request.objects.visible_to(township_operator).filter(pk=report.notice_id).exists()
    with pytest.raises(Rejected) as refused:
        services.report_birth(
            services.BirthReportInput(
                mother_id=woman.pk, birth_date=dt.date(2026, 12, 1), child_sex="X",
                idempotency_key="r2",
            ),
            acting_user=village_worker,
            now=at(dt.date(2026, 10, 3)),
        )  # fmt: skip
    assert {"birth_date", "child_sex"} <= set(refused.value.errors)
    assert BirthReport.objects.count() == 1
