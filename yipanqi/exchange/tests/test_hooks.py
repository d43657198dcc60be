"""Exchange lies below the domains (issue 13): what they plug in through hooks.py, and the
system check that finds a request type nobody describes."""

import pytest
from django.core import checks

from yipanqi.exchange import hooks
from yipanqi.exchange.checks import every_type_is_described
from yipanqi.exchange.models import RequestType
from yipanqi.workdays.changes import deadline_sources


def test_every_request_type_has_a_describer_registered():
    assert every_type_is_described() == []
    assert hooks.described_types() >= set(RequestType.values)


@pytest.mark.django_db
def test_a_missing_describer_fails_the_system_check(monkeypatch):
    monkeypatch.delitem(hooks._describers, RequestType.BIRTH_REPORT.value)

    errors = [m for m in checks.run_checks() if m.id == "exchange.E001"]

    assert len(errors) == 1
    assert "birth_report" in errors[0].msg
    assert errors[0].level == checks.ERROR


def test_the_sweep_runs_the_domains_steps_in_app_order():
    # R-EX-3 first (the sweep's own), then R-REGN-4 lost contact, then R-GRV-1 complaints.
    assert [name for name, _step in hooks.sweep_steps()] == [
        "lost_contact",
        "complaints_escalated",
    ]


def test_answering_a_birth_confirmation_reaches_births():
    from yipanqi.births.services import record_confirmation

    assert hooks.answered_handlers(RequestType.BIRTH_CONFIRMATION) == [record_confirmation]
    assert hooks.answered_handlers(RequestType.VERIFICATION) == []


def test_r_wd_4_a_new_schedule_moves_requests_and_complaints():
    assert [source.name for source in deadline_sources()] == ["request", "complaint"]


@pytest.mark.django_db
def test_the_registry_answers_the_inbox_lookups(village_worker):
    lookups = hooks.person_lookups()
    assert list(lookups.lost_contact(village_worker)) == []
    assert not lookups.visible(village_worker).exists()
