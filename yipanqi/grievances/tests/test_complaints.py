"""R-GRV-1: complaints received from citizens (no account) and staff, assigned to the
responsible jurisdiction, answered within a working-day deadline, followed by reference."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.conf import settings

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.exchange.models import RequestStatus, RequestType
from yipanqi.grievances import selectors, services
from yipanqi.grievances.models import Category, Channel, Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
# Friday 18 September 2026: 15 working days cross 中秋 and 国庆 (make-up days Sep 20, Oct 10).
FILED_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=BEIJING)


def _public(place=NANSHAN_VILLAGE, now=FILED_AT, **overrides):
    data = {
        "category": Category.CHARGED_FOR_FREE_SERVICE,
        "description": "在南头街道计生服务站放环被收了120元。",
        "place_code": place,
        "complainant_name": "王女士",
        "contact": "138 0013 8000",
    }
    data.update(overrides)
    return services.file_complaint(
        services.ComplaintInput(**data),
        acting_user=None,
        origin=services.Origin(channel="public", ip="203.0.113.7"),
        now=now,
    )


def test_r_grv_1_public_complaint_is_assigned_with_a_working_day_deadline():
    """R-GRV-1: a complaint about a 南山 village goes to its township (南头街道), due 15 working
    days after receipt on the official calendar (R-WD-1): from Friday 18 Sep 2026, counting the
    make-up Sundays/Saturdays 20 Sep and 10 Oct and skipping 中秋 and 国庆, due Thursday 15 Oct."""
    filed = _public()

    complaint = filed.complaint
    assert complaint.assigned_to_id == NANSHAN_TOWNSHIP
    assert complaint.channel == Channel.PUBLIC_FORM
    assert complaint.deadline_days == 15
    assert complaint.due_on == dt.date(2026, 10, 15)
    assert re.fullmatch(r"TS260918\d{6}", complaint.reference)
    assert len(filed.secret) == 8
    assert filed.secret not in complaint.secret_hash
    assert complaint.contact_masked == "138****8000"
    assert complaint.reveal_contact() == "13800138000"
    assert [e.type for e in complaint.events.all()] == ["filed", "assigned"]


def test_r_grv_1_reference_and_secret_follow_the_complaint_to_its_answer(township_operator):
    """R-GRV-1: the complainant looks it up with reference and access code; after the
    responsible township answers, the look-up shows the answer."""
    filed = _public(place=SANTAI_VILLAGE, category=Category.TOLD_TO_RETURN_HOME)
    ref, secret = filed.complaint.reference, filed.secret

    before = services.lookup_complaint(ref, secret.lower())
    services.answer_complaint(
        filed.complaint.pk,
        answer="已责成村委会停止要求回乡检查，以现居住地报告单为准。",
        acting_user=township_operator,
        now=FILED_AT + dt.timedelta(days=3),
    )
    after = services.lookup_complaint(ref, secret)

    assert before.status == ComplaintStatus.OPEN
    assert after.status == ComplaintStatus.ANSWERED
    assert after.answer.startswith("已责成")
    assert after.answered_late is False


@pytest.mark.parametrize("wrong", ["reference", "secret"])
def test_r_grv_1_a_wrong_reference_or_secret_finds_nothing(wrong):
    """R-GRV-1: a reference alone is not enough; either half wrong finds nothing."""
    filed = _public()
    ref, secret = filed.complaint.reference, filed.secret
    if wrong == "reference":
        ref = ref[:-1] + ("0" if ref[-1] != "0" else "1")
    else:
        secret = "AAAAAAAA"

    with pytest.raises(NotFound):
        services.lookup_complaint(ref, secret, origin=services.Origin(ip="198.51.100.1"))


def test_r_grv_1_many_wrong_lookups_are_refused_for_a_while():
    """R-GRV-1: guessing references is stopped: after 20 failures even the right pair waits."""
    filed = _public()
    origin = services.Origin(ip="198.51.100.99")
    for _i in range(settings.COMPLAINT_LOOKUP_FAILURES_PER_HOUR):
        with pytest.raises(NotFound):
            services.lookup_complaint("TS260918000000", "WRONG", origin=origin)

    with pytest.raises(Rejected, match="Too many unsuccessful look-ups"):
        services.lookup_complaint(filed.complaint.reference, filed.secret, origin=origin)


def test_r_grv_1_public_form_is_rate_limited_per_connection():
    """R-GRV-1 / R-ACC-3: five complaints an hour from one connection, then a plain refusal."""
    for _i in range(settings.COMPLAINTS_PER_HOUR):
        _public()

    with pytest.raises(Rejected, match="12356"):
        _public()
    assert Complaint.objects.count() == settings.COMPLAINTS_PER_HOUR


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "quota", "Please choose what the complaint is about."),
        ("description", "太贵", "at least 10 characters"),
        ("place_code", "44", "at least the county"),
        ("place_code", "999999", "no division with code"),
        ("contact", "12345", "mobile number of 11 digits"),
    ],
)
def test_r_grv_1_bad_input_is_refused_and_nothing_is_written(field, value, message):
    """R-GRV-1: bad input gets a plain message and writes nothing."""
    with pytest.raises(Rejected) as exc:
        _public(**{field: value})

    assert message in " ".join(exc.value.errors[field])
    assert not Complaint.objects.exists()


def test_r_grv_1_staff_intake_across_lines_is_handed_over_through_the_exchange(
    village_worker, township_operator, register_inflow
):
    """R-GRV-1 / R-EX-1: the 南山 worker records that the home village told 王芳 to come home
    for a check-up; it is assigned to 三台 潼川镇 and handed over by a complaint_referral
    request. Answering the complaint answers the request too."""
    person = register_inflow().person
    filed = services.file_complaint(
        services.ComplaintInput(
            category=Category.TOLD_TO_RETURN_HOME,
            description="户籍地村委会电话要求她回乡做孕情检查。",
            place_code=SANTAI_VILLAGE,
            person_id=person.pk,
        ),
        acting_user=village_worker,
        channel=Channel.STAFF,
        now=FILED_AT,
    )
    complaint = filed.complaint

    referral = complaint.referral
    assert complaint.assigned_to_id == SANTAI_TOWNSHIP
    assert referral.type == RequestType.COMPLAINT_REFERRAL
    assert (referral.sender_id, referral.receiver_id) == (NANSHAN_VILLAGE, SANTAI_TOWNSHIP)
    assert list(
        services.access_complaint(township_operator, complaint.pk).events.values_list(
            "type", flat=True
        )
    ) == ["filed", "assigned", "referred"]

    services.answer_complaint(
        complaint.pk, answer="已纠正，不再要求回乡。", acting_user=township_operator, now=FILED_AT
    )
    referral.refresh_from_db()
    assert referral.status == RequestStatus.ANSWERED
    assert referral.answer == "已纠正，不再要求回乡。"


def test_r_grv_1_only_the_responsible_jurisdiction_answers(village_worker, township_operator):
    """R-GRV-1: the filer's side sees the complaint it handed over but cannot answer it."""
    filed = services.file_complaint(
        services.ComplaintInput(
            category=Category.CERTIFICATE_REFUSED,
            description="户籍地乡镇拒绝为她办理婚育证明。",
            place_code=SANTAI_VILLAGE,
        ),
        acting_user=village_worker,
        channel=Channel.HOTLINE,
    )

    with pytest.raises(Rejected, match="Only the responsible jurisdiction"):
        services.answer_complaint(filed.complaint.pk, answer="好", acting_user=village_worker)
    assert services.access_complaint(village_worker, filed.complaint.pk)


def test_r_grv_1_late_answer_is_recorded_late_and_counted(township_operator):
    """R-GRV-1: answered after the due day counts as late in the assessment counts."""
    filed = _public(place=SANTAI_VILLAGE, category=Category.CERTIFICATE_DELAYED)
    services.answer_complaint(
        filed.complaint.pk,
        answer="已补办。",
        acting_user=township_operator,
        now=dt.datetime(2026, 10, 16, 9, 0, tzinfo=BEIJING),
    )
    _public(place=SANTAI_VILLAGE, category=Category.OTHER, contact="")

    counts = selectors.complaint_counts("510722", dt.date(2026, 9, 1), dt.date(2026, 9, 30))

    assert Complaint.objects.get(pk=filed.complaint.pk).answered_late is True
    assert counts["total"] == 2
    assert counts["answered_late"] == 1
    assert counts["answered_in_time"] == 0
    assert counts["rights_violations"] == 1
    assert counts["by_category"] == {"certificate_delayed": 1, "other": 1}


def test_r_acc_2_another_county_sees_no_complaint(other_county_admin):
    """R-ACC-2: 玄武区 neither lists nor opens a complaint assigned to 南山."""
    filed = _public()

    assert not selectors.list_complaints(other_county_admin, selectors.Filters(view="all")).exists()
    with pytest.raises(NotFound):
        services.access_complaint(other_county_admin, filed.complaint.pk)


def test_r_grv_1_overdue_open_complaints_are_listed(township_operator):
    """R-GRV-1: an open complaint past its due day shows in the overdue list."""
    _public(place=SANTAI_VILLAGE, now=dt.datetime(2025, 1, 6, 9, 0, tzinfo=BEIJING))

    overdue = selectors.list_complaints(township_operator, selectors.Filters(view="overdue"))

    assert overdue.count() == 1


def test_r_grv_1_without_deadline_rules_the_statutory_15_working_days_apply():
    """R-GRV-1 / R-EX-2: with no rule set naming a complaint deadline, the complaint is still
    received (a citizen is never turned away) and due in the statutory 15 working days."""
    from yipanqi.regions.models import RuleSet

    for rule_set in RuleSet.objects.all():
        rule_set.deadlines = {
            k: v for k, v in rule_set.deadlines.items() if k != "complaint_referral"
        }
        rule_set.save(update_fields=["deadlines"])

    complaint = _public().complaint
    assert complaint.deadline_days == 15
    assert complaint.due_on == dt.date(2026, 10, 15)  # as with the seeded 15 days (above)
