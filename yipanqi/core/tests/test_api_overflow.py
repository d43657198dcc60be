"""A 64-bit overflow in any API input is a 422 with a plain reason, never a 500."""

import pytest

from conftest import make_user


@pytest.mark.django_db
def test_huge_ids_in_paths_and_bodies_are_refused_plainly(client):
    client.force_login(make_user("big", "village_worker", "440305001001"))
    huge = 2**70
    for response in (
        client.get(f"/api/v1/persons/{huge}"),
        client.post(
            "/api/v1/exchange/requests",
            {
                "type": "co_investigation",
                "receiver_code": "510722101",
                "person_ids": [huge],
                "subject": "x",
                "idempotency_key": "k1",
            },
            content_type="application/json",
        ),
    ):
        assert response.status_code in (404, 422), response.content[:300]
