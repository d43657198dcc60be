"""API tokens are issued and revoked by the audited accounts services, the action and its audit
row in one transaction; a refused revoke writes nothing."""

import pytest
from django.test import Client

from conftest import make_user
from yipanqi.accounts import services
from yipanqi.accounts.models import ApiToken
from yipanqi.audit.models import AuditEvent
from yipanqi.audit.services import Origin
from yipanqi.core.errors import NotFound

ORIGIN = Origin(channel="web", ip="10.0.0.1")


def test_issuing_a_token_writes_its_audit_row(village_worker):
    token, key = services.create_token(
        village_worker, "phone", acting_user=village_worker, origin=ORIGIN
    )
    assert ApiToken.objects.get(key_hash=ApiToken.hash_key(key)) == token
    row = AuditEvent.objects.get(action="token_create", object_id=str(token.pk))
    assert row.actor == village_worker and row.ip == "10.0.0.1"
    assert row.detail == {"user": village_worker.pk, "name": "phone", "prefix": token.prefix}


def test_the_owner_revoking_her_token_writes_its_audit_row(village_worker):
    token, _key = ApiToken.issue(village_worker)
    assert services.revoke_own_token(token.pk, acting_user=village_worker, origin=ORIGIN) == 1
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == "revoked by its owner"
    row = AuditEvent.objects.get(action="token_revoke", object_id=str(token.pk))
    assert row.actor == village_worker and row.reason == "revoked by its owner"


def test_a_revoke_of_another_users_token_is_refused_and_writes_nothing(
    village_worker, township_operator
):
    token, _key = ApiToken.issue(village_worker)
    before = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        services.revoke_own_token(token.pk, acting_user=township_operator, origin=ORIGIN)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert AuditEvent.objects.count() == before


def test_the_tokens_page_issues_and_revokes_through_the_services(village_worker):
    """Given alice on her tokens page, when she creates a token and revokes it, then both are
    audited; a revoke of someone else's token answers 404 and writes nothing."""
    client = Client()
    client.force_login(village_worker)
    assert client.post("/tokens/", {"name": "laptop"}).status_code == 200
    token = ApiToken.objects.get(user=village_worker, name="laptop")
    assert AuditEvent.objects.filter(action="token_create", object_id=str(token.pk)).exists()
    assert client.post("/tokens/", {"revoke": str(token.pk)}).status_code == 302
    assert AuditEvent.objects.filter(action="token_revoke", object_id=str(token.pk)).count() == 1

    other = make_user("bob-tokens", "village_worker", village_worker.jurisdiction_id)
    theirs, _key = ApiToken.issue(other)
    before = AuditEvent.objects.count()
    assert client.post("/tokens/", {"revoke": str(theirs.pk)}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert AuditEvent.objects.count() == before
