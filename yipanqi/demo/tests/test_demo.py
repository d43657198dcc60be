"""The demo population obeys the registration rules, is repeatable, and feeds the demo logins."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from yipanqi.accounts.models import Role, User
from yipanqi.core.crypto import blind_index
from yipanqi.demo.generate import generate
from yipanqi.demo.users import create_demo_users
from yipanqi.divisions.models import Division
from yipanqi.people import idnumbers
from yipanqi.people.models import (
    EventType,
    MaritalStatus,
    Person,
    PersonEvent,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Sex,
    StayReason,
)
from yipanqi.people.services import scope_violations

TODAY = dt.date(2026, 11, 24)
SEED = 7


def _snapshot():
    """What a seed determines: IDs, names, places, marriages, registration dates."""
    persons = [
        (p.reveal_id_number(), p.name, p.home_id, p.residence_id, p.marital_status)
        for p in Person.objects.order_by("pk")
    ]
    registrations = list(
        Registration.objects.order_by("pk").values_list(
            "kind", "status", "home_id", "residence_id", "arrival_date", "received_on"
        )
    )
    return persons, registrations


def _delete_people():
    PersonEvent.objects.all().delete()
    Registration.objects.all().delete()
    Person.objects.update(spouse=None)
    Person.objects.all().delete()


@pytest.fixture
def population(db):
    report = generate(300, seed=SEED, today=TODAY)
    # The demo writes raw rows; the database's own foreign-key check must still pass.
    connection.check_constraints()
    return report


@pytest.mark.django_db
def test_every_person_passes_the_registration_checks(population):
    """R-JUR-3, R-REGN-1: valid IDs of the home county, women 18–49, men married, in scope."""
    assert population.persons == Person.objects.count() == 300
    indexes = set()
    for person in Person.objects.all():
        value = person.reveal_id_number()
        ident = idnumbers.parse(value, today=TODAY)
        assert ident.area_code == person.home_id[:6]
        assert ident.sex == person.sex and ident.birth_date == person.birth_date
        assert person.id_number_masked == idnumbers.mask(value)
        assert person.id_number_index == blind_index(value, domain="id")
        indexes.add(person.id_number_index)
        age = ident.age_on(TODAY)
        assert age >= 18
        if person.sex == Sex.FEMALE:
            assert age <= 49
        else:
            assert person.marital_status in MaritalStatus.married()
        if person.phone_cipher:
            phone = person.reveal_phone()
            assert person.phone_masked == phone[:3] + "****" + phone[-4:]
            assert person.phone_index == blind_index(phone, domain="phone")
        if person.spouse_id:
            spouse = Person.objects.get(pk=person.spouse_id)
            assert spouse.spouse_id == person.pk and spouse.sex != person.sex
            assert person.marital_status in MaritalStatus.married()
    assert len(indexes) == 300
    assert Person.objects.filter(sex=Sex.MALE).exists()
    # R-JUR-3: men are registered as spouses, never alone (issue 12.7).
    assert not Person.objects.filter(sex=Sex.MALE, spouse__isnull=True).exists()


@pytest.mark.django_db
def test_a_sample_is_in_scope_as_the_service_decides(population):
    """R-JUR-3 through the service's own function, on real divisions."""
    registrations = list(Registration.objects.select_related("home", "residence"))
    for registration in random.Random(1).sample(registrations, 80):
        assert registration.reason in StayReason.in_scope()
        violations = scope_violations(
            registration.home, registration.residence, registration.reason
        )
        assert violations == [], (registration.home_id, registration.residence_id)


@pytest.mark.django_db
def test_registrations_are_consistent(population):
    """R-REGN-1/2/4/6: one inflow each, outflow linked, closing and contact fields coherent."""
    assert Registration.objects.filter(kind=RegistrationKind.INFLOW).count() == 300
    outflows = Registration.objects.filter(kind=RegistrationKind.OUTFLOW)
    assert 150 < outflows.count() < 300
    for registration in Registration.objects.select_related("person"):
        person = registration.person
        assert registration.home_id == person.home_id
        assert registration.residence_id == person.residence_id
        assert TODAY - dt.timedelta(days=3 * 366) <= registration.arrival_date < TODAY
        assert registration.arrival_date <= registration.received_on < TODAY
        assert registration.received_on <= registration.recorded_at.date()
        place = (
            registration.residence_id
            if registration.kind == RegistrationKind.INFLOW
            else registration.home_id
        )
        assert place.startswith(registration.registered_by_unit_id)
        if registration.status == RegistrationStatus.CLOSED:
            assert registration.closed_on and registration.close_reason
            assert registration.closed_on > registration.recorded_at.date()
        else:
            assert registration.closed_on is None and registration.close_reason == ""
        if registration.kind == RegistrationKind.OUTFLOW:
            assert registration.last_contact_on >= registration.arrival_date
            stale = (TODAY - registration.last_contact_on).days > 60
            assert registration.lost_contact == (stale and registration.status == "active")
        else:
            assert registration.last_contact_on is None and not registration.lost_contact
    linked = PersonEvent.objects.filter(type=EventType.LINKED)
    assert linked.count() == outflows.count()
    assert PersonEvent.objects.filter(type=EventType.REGISTERED_INFLOW).count() == 300
    assert Registration.objects.filter(status=RegistrationStatus.CLOSED).exists()
    assert Registration.objects.filter(recorded_in_time=False).exists()


@pytest.mark.django_db
def test_same_seed_same_people(db):
    """Determinism: IDs, names and places repeat for a seed on an empty registry."""
    generate(120, seed=SEED, today=TODAY)
    first = _snapshot()
    _delete_people()
    generate(120, seed=SEED, today=TODAY)
    assert _snapshot()[0] == first[0]
    assert [row[2:] for row in _snapshot()[1]] == [row[2:] for row in first[1]]
    _delete_people()
    generate(120, seed=SEED + 1, today=TODAY)
    assert _snapshot()[0] != first[0]


@pytest.mark.django_db
def test_a_second_run_adds_people_without_collisions(population):
    """The unique blind index holds across runs, even with the same seed."""
    again = generate(300, seed=SEED, today=TODAY, batch_size=70)
    assert again.persons == 300
    assert Person.objects.count() == 600
    assert Person.objects.values("id_number_index").distinct().count() == 600
    assert Registration.objects.filter(kind=RegistrationKind.INFLOW).count() == 600
    # Keys were assigned by the demo: the ORM's next insert must not collide (PostgreSQL
    # identity sequences were moved past them).
    event = PersonEvent.objects.create(person=Person.objects.last(), type=EventType.DETAILS_CHANGED)
    assert event.pk > PersonEvent.objects.exclude(pk=event.pk).order_by("-pk").first().pk


@pytest.mark.django_db
def test_demo_users_are_idempotent_and_see_persons(population):
    """R-ACC-1/2: one login per level, each sees persons; the separated roles see none."""
    logins = create_demo_users("demo-password-1")
    again = create_demo_users("demo-password-1")
    assert logins == again
    names = [login[0] for login in logins]
    assert names == [
        "village", "township", "county", "city", "province", "home_township", "feeder",
        "feeder_civil", "feeder_health", "feeder_hr", "feeder_housing", "feeder_market",
        "national", "auditor", "sysadmin", "secadmin",
    ]  # fmt: skip
    assert User.objects.filter(username__in=names).count() == len(names)
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    assert users["village"].jurisdiction_id == "440305001001"
    assert users["home_township"].jurisdiction_id == "510722101"
    assert users["city"].jurisdiction_id == "4403"
    for name in ["village", "township", "county", "city", "province", "home_township", "national"]:
        assert Person.objects.visible_to(users[name]).exists(), name
        assert users[name].check_password("demo-password-1")
    for name in ["auditor", "sysadmin", "secadmin"]:
        assert users[name].jurisdiction is None
        assert not Person.objects.visible_to(users[name]).exists()
    assert users["auditor"].role == Role.AUDITOR
    by_name = {login[0]: login for login in logins}
    assert by_name["county"][3] == Division.objects.get(pk="440305").path_name


@pytest.mark.django_db
def test_command_generates_and_prints_logins(capsys):
    """The command adds persons, reports progress on stderr and prints the logins."""
    with translation.override("en"):
        call_command("demo", "--persons", "50", "--seed", "3")
    out = capsys.readouterr()
    assert Person.objects.count() == 50
    assert "Added 50 persons" in out.out
    assert "home_township" in out.out
    assert "100%" in out.err
    call_command("demo", "--users-only")
    assert Person.objects.count() == 50


@pytest.mark.django_db
def test_demo_administrators_pass_the_second_factor_with_the_printed_code(client):
    """Issue 7.1: TOTP is mandatory for administrators, and the demo can still be walked."""
    from io import StringIO

    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yipanqi.demo.users import create_demo_users

    create_demo_users()
    device = TOTPDevice.objects.get(user__username="county", confirmed=True)
    out = StringIO()
    call_command("demo", "--otp", "county", stdout=out)
    assert device.verify_token(out.getvalue().strip())
    assert not TOTPDevice.objects.filter(user__username="village").exists()


@pytest.mark.django_db
def test_r_stat_1_the_demo_gives_most_married_inflow_women_a_free_checkup(capsys):
    """Service coverage shows real figures in a demo, counted as the live path counts them."""
    from yipanqi.ledger import counters
    from yipanqi.ledger.models import StatCounter
    from yipanqi.services.models import ServiceRecord

    with translation.override("en"):
        call_command("demo", "--persons", "400", "--seed", "5")
    added = ServiceRecord.objects.count()

    assert added > 0
    assert "free check-ups" in capsys.readouterr().out
    record = ServiceRecord.objects.select_related("registration__person").first()
    assert record.amount_charged == 0 and record.service_type.category == "checkup"
    assert record.registration.person_id == record.person_id
    assert record.registration.person.marital_status in ("first_marriage", "remarried")
    checked = StatCounter.objects.filter(division_code="", metric="cov.checked")
    assert sum(checked.values_list("value", flat=True)) == added
    report = counters.check()
    assert report.ok, report
    from yipanqi.accounts.models import User
    from yipanqi.demo.checkups import add_demo_checkups

    assert add_demo_checkups(recorded_by=User.objects.get(username="village")) == 0  # once
    assert ServiceRecord.objects.count() == added


@pytest.mark.django_db
def test_r_ex_4_the_demo_sends_verification_requests_with_real_deadlines_and_outcomes(capsys):
    """Inboxes and the timeliness rate show real figures in a demo, counted as the live path
    counts them: due dates from the rule sets and the working-day calendar, every outcome."""
    from yipanqi.demo.requests import KEY_PREFIX, add_demo_requests
    from yipanqi.exchange.models import Request, RequestStatus
    from yipanqi.ledger import counters
    from yipanqi.regions.rules import deadline_days, pick_rules
    from yipanqi.workdays.services import add_working_days, local_date

    with translation.override("en"):
        call_command("demo", "--persons", "400", "--seed", "5")
    assert "verification requests" in capsys.readouterr().out
    # The demo's verification requests (its feeds send birth reports and departure notices too).
    requests = list(
        Request.objects.filter(idempotency_key__startswith=KEY_PREFIX).prefetch_related(
            "persons", "events"
        )
    )
    assert requests and all(r.idempotency_key.startswith(KEY_PREFIX) for r in requests)
    today = dt.date.today()
    statuses = {r.status for r in requests}
    assert {RequestStatus.ANSWERED, RequestStatus.OVERDUE} <= statuses
    for request in requests[:60]:
        registration = Registration.objects.get(pk=int(request.idempotency_key[len(KEY_PREFIX) :]))
        assert registration.kind == "inflow" and registration.pk % 3 == 0
        assert [p.pk for p in request.persons.all()] == [registration.person_id]
        assert request.sender_id == registration.residence_id
        assert request.receiver_id == registration.home_id[:9]
        sent = local_date(request.created_at)
        assert sent == registration.received_on + dt.timedelta(days=1)
        choice = pick_rules(
            request.sender_id, request.receiver_id, on=sent, request_type="verification"
        )
        assert request.rule_set_id == choice.rule_set.pk
        assert request.deadline_days == deadline_days(choice, "verification", sent)
        assert request.due_on == add_working_days(sent, request.deadline_days).date
        kinds = [e.type for e in request.events.all()]
        assert kinds[:2] == ["sent", "delivered"]
        if request.due_on >= today:
            assert request.status == RequestStatus.DELIVERED and len(kinds) == 2
        elif request.status == RequestStatus.OVERDUE:
            assert request.overdue_at and not request.answered_at and "overdue" in kinds
        else:
            assert request.answered_at and "answered" in kinds and request.answer
    report = counters.check()
    assert report.ok, report
    assert add_demo_requests() == 0  # once per database
    assert Request.objects.filter(idempotency_key__startswith=KEY_PREFIX).count() == len(requests)
