"""Issue 7, item 7: the JSON API fuzzed from its own OpenAPI document: no input gives a 500.

Schemathesis generates requests for every operation in /api/v1/openapi.json (valid and
invalid bodies, parameters and paths) and sends them in-process to the WSGI application with a
village worker's token, inside the test's transaction. A bounded number of examples per
operation (YIPANQI_FUZZ_EXAMPLES, default 12) keeps it well under two minutes in CI.
R-ACC-2 depends on the API answering 404/422 rather than failing: a 500 is a bug.

Issue 16, item 10: every answer must also be what the document says: a documented status code,
the documented content type, and a body that validates against the documented schema (the
errors' included), checked by schemathesis' own conformance checks.
"""

import os
import warnings

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from yipanqi.accounts.models import ApiToken

EXAMPLES = int(os.environ.get("YIPANQI_FUZZ_EXAMPLES", "12"))
# 500s found by this test in other apps' endpoints and reported to their owners; they are shown
# as warnings until fixed, and any other operation's 500 fails the test.
KNOWN_BUGS: dict[str, str] = {}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, kept on the test's database connection."""
    from yipanqi.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_r_acc_2_api_fuzzed_from_its_openapi_document_never_answers_500(
    wsgi_app, register_inflow, village_worker
):
    """Issue 7.7 and 16.10: every operation, EXAMPLES generated requests each, no status >= 500,
    and every answer conforms to the document (status code, content type, body schema)."""
    schemathesis = pytest.importorskip("schemathesis")
    register_inflow()  # so that ids in paths sometimes meet a real person
    _token, key = ApiToken.issue(village_worker)
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, headers=headers)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        _fuzz(result.ok(), headers, failures)
    assert operations >= 10  # the document really lists the API
    known = [f for f in failures if f.split(":")[0] in KNOWN_BUGS]
    for failure in known:
        warnings.warn(f"known API bug, reported: {failure}", stacklevel=1)
    unknown = [f for f in failures if f not in known]
    assert unknown == [], "\n".join(unknown[:20])


def _fuzz(operation, headers, failures):
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def probe(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{operation.label}: {response.status_code} for "
                f"path={case.path_parameters} query={case.query} body={case.body!r}"[:500]
            )
            return
        try:
            case.validate_response(response, checks=CONFORMANCE, headers=headers)
        except FailureGroup as group:
            failures.append(
                f"{operation.label}: {response.status_code} "
                f"{'; '.join(sorted({failure.title for failure in group.exceptions}))} for "
                f"path={case.path_parameters} query={case.query} body={case.body!r} "
                f"answer={response.text[:200]!r}"[:700]
            )

    probe()
