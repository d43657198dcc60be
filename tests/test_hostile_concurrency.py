"""Issue 16.2: audited reads under concurrency wait for the database and succeed, never 500.

Fifty clients at once open the person search (each search writes an audit row, P4) against a
live threaded server on the suite's database (SQLite in WAL mode, or PostgreSQL).
"""

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

CONCURRENCY = 50


def _session_cookie(client, user) -> str:
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_audited_searches_all_answer(
    divisions, live_server, village_worker, client
):
    """Given 50 users' worth of concurrent person searches, each audited,
    when they hit the server at once, then every one answers 200 and wrote its audit row."""
    from yipanqi.audit.models import AuditEvent

    cookie = _session_cookie(client, village_worker)
    before = AuditEvent.objects.filter(action="person_search").count()
    url = f"{live_server.url}/persons/?kind=inflow"

    def fetch(_):
        request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310
        try:
            # The live server's own http:// address.
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        statuses = list(pool.map(fetch, range(CONCURRENCY)))
    assert statuses == [200] * CONCURRENCY, sorted(set(statuses))
    after = AuditEvent.objects.filter(action="person_search").count()
    assert after - before == CONCURRENCY
