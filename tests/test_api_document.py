"""Issue 16, item 10: the API document tells the truth.

Given the JSON API and its OpenAPI document (/api/v1/openapi.json), when the document is built
and the API answers errors, then every schema name stands for one schema, every operation lists
its error answers, every error body has that one documented shape (in the request's language,
naming the fields), and the docs are public only where the setting says so. The fuzz test
(tests/test_fuzz_api.py) checks the same conformance on generated requests.
"""

import enum
import json
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from django.test import Client
from ninja.openapi import schema as ninja_openapi
from pydantic import BaseModel

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE
from yipanqi.accounts.models import ApiToken
from yipanqi.api.v1 import api
from yipanqi.core.crypto import generate_key

ROOT = Path(__file__).resolve().parent.parent
ERROR_REF = "#/components/schemas/ErrorOut"

pytestmark = pytest.mark.django_db


def _token_client(user, **extra) -> Client:
    _token, key = ApiToken.issue(user, name="document test")
    return Client(headers={"authorization": f"Bearer {key}"}, **extra)


def _reachable_types(annotation, found: set) -> None:
    """Every pydantic model and enum a field annotation leads to (lists, optionals, nesting)."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _reachable_types(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _reachable_types(argument, found)


def _operations():
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            yield from path_view.operations


def test_issue_16_10_no_two_schema_classes_share_a_name():
    """Given every model an operation reads or answers (ninja's own wrappers left out, they are
    never components), when grouped by the name the document gives them, then each name is one
    class: two classes of one name make the document show one of them for both."""
    found: set = set()
    for operation in _operations():
        for wrapper in [*operation.models, *operation.response_models.values()]:
            if isinstance(wrapper, type) and issubclass(wrapper, BaseModel):
                for field in wrapper.model_fields.values():
                    _reachable_types(field.annotation, found)
    by_name: dict[str, set[str]] = {}
    for cls in found:
        by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: classes for name, classes in by_name.items() if len(classes) > 1}
    assert len(found) > 50  # the walk really reached the API's schemas
    assert shared == {}


def test_issue_16_10_every_component_name_is_given_one_definition(monkeypatch):
    """Given ninja's merging of each operation's definitions into one components table (a later
    one overwrites an earlier of the same name), when the document is built, then no name is
    ever given two different definitions."""
    given: dict[str, set[str]] = {}
    original = ninja_openapi.OpenAPISchema.add_schema_definitions

    def recording(self, definitions):
        for name, definition in definitions.items():
            given.setdefault(name, set()).add(json.dumps(definition, sort_keys=True))
        original(self, definitions)

    monkeypatch.setattr(ninja_openapi.OpenAPISchema, "add_schema_definitions", recording)
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    assert {name for name, shapes in given.items() if len(shapes) > 1} == set()
    assert set(given) <= set(document["components"]["schemas"])


def test_issue_16_10_every_operation_documents_its_errors_in_the_one_shape():
    """Given the document, then every operation lists 403, 404, 422 and 429 (401 where a token
    is asked for, 400 and 413 where a body is read), each with the ErrorOut schema."""
    document = Client().get("/api/v1/openapi.json").json()
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["detail"]
    operations = 0
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            operations += 1
            expected = {"403", "404", "422", "429"}
            if operation.get("security"):
                expected.add("401")
            if operation.get("requestBody"):
                expected |= {"400", "413"}
            errors = {code for code in operation["responses"] if code.startswith("4")}
            assert expected <= errors, f"{method} {path}"
            for code in errors:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, f"{method} {path} {code}"
    assert operations >= 60


def _is_error_shape(body: dict) -> bool:
    from yipanqi.api.v1.common import ErrorOut

    ErrorOut.model_validate(body)  # raises if the body is not the documented shape
    return set(body) == {"detail", "errors"}


def test_issue_16_10_invalid_input_answers_the_documented_shape_in_chinese_naming_fields(
    village_worker,
):
    """Given a registration with a missing field, a too long name and a non-numeric page, when
    sent, then 422 answers {detail, errors} with the field names and plain Chinese messages
    (English for a user who chose English), never pydantic's list of error objects."""
    client = _token_client(village_worker)
    body = {"name": "王" * 300, "home_code": SANTAI_VILLAGE, "residence_code": NANSHAN_VILLAGE}

    response = client.post("/api/v1/persons/inflow", json.dumps(body), "application/json")

    assert response.status_code == 422
    answer = response.json()
    assert _is_error_shape(answer)
    assert answer["errors"]["id_number"] == ["这个字段是必填项。"]
    assert answer["errors"]["name"] == ["太长了：最多 50 个字符。"]
    assert "id_number" in answer["detail"] and "提交的内容有误" in answer["detail"]

    query = client.get("/api/v1/exchange/inbox?page=abc")
    assert query.status_code == 422
    assert query.json()["errors"] == {"page": ["必须是整数。"]}

    english = _token_client(village_worker)
    english.cookies["django_language"] = "en"
    assert english.get("/api/v1/exchange/inbox?page=abc").json()["errors"] == {
        "page": ["Must be a whole number."]
    }


def test_issue_16_10_refusals_and_ninja_errors_use_the_same_shape(village_worker):
    """Given no token, an unknown id, an id that is no number, a body that is no JSON and a
    rule's refusal, when sent, then each answers JSON in the one documented shape."""
    client = _token_client(village_worker)
    answers = {
        401: Client().get("/api/v1/persons/1"),
        404: client.get("/api/v1/persons/999999"),
        400: client.post("/api/v1/persons/search", "{not json", "application/json"),
    }
    not_a_number = client.get("/api/v1/persons/abc")  # no route matches: Django's own 404
    for status, response in [*answers.items(), (404, not_a_number)]:
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        assert _is_error_shape(response.json())
    assert answers[401].json()["detail"] == "请先登录：请提供有效的 API 令牌。"
    assert answers[400].json()["detail"] == "无法读取请求内容，请以 JSON 格式发送。"
    assert not_a_number.json()["detail"] == "这里什么也没有：本辖区没有这条记录。"
    assert answers[404].json()["detail"] == "本辖区没有这个人员。"  # the endpoint's own words
    # Outside /api/ the 404 stays a page.
    assert Client().get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_issue_16_10_a_body_over_the_size_limit_is_413_in_the_same_shape(settings, village_worker):
    """Given a JSON body larger than DATA_UPLOAD_MAX_MEMORY_SIZE, when posted, then 413 with the
    documented shape, not ninja's 400 "Cannot parse request body"."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "王" * 2000})

    response = _token_client(village_worker).post(
        "/api/v1/persons/search", body, "application/json"
    )

    assert response.status_code == 413
    assert _is_error_shape(response.json())
    assert (
        response.json()["detail"].startswith("发送的内容太多") and response.json()["errors"] == {}
    )


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_issue_16_10_api_docs_are_for_signed_in_users_unless_the_setting_opens_them(
    settings, village_worker, path
):
    """Given API_DOCS_PUBLIC off (production's default), the docs page and the document are
    not found for an outsider and shown to a signed-in user or a token; on, to anyone."""
    settings.API_DOCS_PUBLIC = False
    assert Client().get(path).status_code == 404
    signed_in = Client()
    signed_in.force_login(village_worker)
    assert signed_in.get(path).status_code == 200
    assert _token_client(village_worker).get(path).status_code == 200

    settings.API_DOCS_PUBLIC = True
    assert Client().get(path).status_code == 200


@pytest.mark.parametrize(("flag", "public"), [(None, "False"), ("1", "True")])
def test_issue_16_10_production_keeps_the_api_docs_private_unless_told(flag, public):
    """Given production settings (YIPANQI_DEV=0), then API_DOCS_PUBLIC is off unless
    YIPANQI_API_DOCS_PUBLIC=1 turns it on."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("YIPANQI_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "yipanqi.settings",
        "YIPANQI_DEV": "0",
        "YIPANQI_SECRET_KEY": "p" + generate_key() + generate_key(),
        "YIPANQI_FIELD_KEYS": f"1:{generate_key()}",
        "YIPANQI_BLIND_INDEX_KEY": generate_key(),
        "YIPANQI_AUDIT_KEY": generate_key(),
    }
    if flag is not None:
        env["YIPANQI_API_DOCS_PUBLIC"] = flag
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.API_DOCS_PUBLIC)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == public, result.stderr
