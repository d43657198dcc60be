"""R-ACC-2 on every URL of the project: another county sees nothing of a person, anywhere.

The URL patterns are enumerated from the live resolver at collection time, so a page or endpoint
that another engineer adds later (exchange/, reports/, api/v1/...) is probed automatically. Each
pattern's parameters are filled from the person registered by the village worker (home 三台县,
residence 南山区) and from every row that points at that person (registrations, events, requests,
...), so ``persons/<int:pk>/``, ``requests/<int:id>/`` or ``api/v1/persons/<int:person_id>`` all get
an id that exists and belongs to the person.

For every pattern, an outsider (the county administrator of 南京玄武区, and a township operator
of 杭州西湖区 who can register) requests it with GET and POST (and for the API also with a Bearer
token and a JSON body):

- a pattern that takes an object id must answer 403/404 (405 when the method is not accepted,
  400/422 when the API refuses the body before looking at the object), never 200 or a redirect;
- no pattern may show the person's name, masked or whole ID number or phone number;
- nothing the outsider requests may change the person's record.
"""

import datetime as dt
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user

# Patterns that are not probed, each with the reason. Everything else is.
SKIPPED_PREFIXES = {
    "admin/": "Django admin: staff-only (no cast member is staff) and has its own permission model",
    "i18n/": "language switch (set_language) only sets a cookie and redirects; no data",
    "static/": "static assets (served by WhiteNoise, no data)",
    "media/": "uploaded media is not served by Django URL patterns",
    "__debug__/": "debug toolbar, development only",
}
# Integer parameters with these names are not object ids (a year, a page number ...): for them
# only the "never shows the person" rule applies.
NON_OBJECT_PARAMS = {"year", "month", "day", "page", "n", "days", "count", "level", "size", "limit"}
OBJECT_ID_NAME = re.compile(r"(^|_)(id|pk|uuid)$")
# Statuses that refuse without showing anything: forbidden, not found, method not allowed, and
# (API) a body or query rejected before the object is looked at.
REFUSED = {400, 403, 404, 405, 422}
MAX_COMBINATIONS = 24

PERSON_NAME = "司马秀英"  # distinctive: appears nowhere on a page unless the person is shown
PERSON_PHONE = "13912345678"


@dataclass(frozen=True)
class Route:
    """One URL pattern, flattened: a template like 'persons/<int:pk>/' and its parameters."""

    template: str
    params: tuple[tuple[str, str], ...]  # (name, regex the value must match)
    object_params: frozenset[str]
    callback_name: str
    skip_reason: str = ""

    @property
    def takes_object_id(self) -> bool:
        return bool(self.object_params)

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/")


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^)]*)\)")


def _segment(pattern) -> tuple[str, dict[str, str], set[str]]:
    """Template text, {param: value regex} and the object-id params of one resolver level."""
    if isinstance(pattern, RoutePattern):
        converters = pattern.converters
        params, objects = {}, set()
        for name, conv in converters.items():
            params[name] = conv.regex
            is_int = isinstance(conv, IntConverter)
            if isinstance(conv, UUIDConverter) or (
                name.lower() not in NON_OBJECT_PARAMS
                and (is_int or OBJECT_ID_NAME.search(name.lower()))
            ):
                objects.add(name)
        return str(pattern), params, objects
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix, {}, set()
    if isinstance(pattern, RegexPattern):
        text = str(pattern).lstrip("^").removesuffix("$").removesuffix(r"\Z")
        params, objects = {}, set()
        for m in _REGEX_GROUP.finditer(text):
            params[m["name"]] = m["regex"]
            if m["name"].lower() not in NON_OBJECT_PARAMS and (
                OBJECT_ID_NAME.search(m["name"].lower()) or m["regex"] in (r"\d+", "[0-9]+")
            ):
                objects.add(m["name"])
        text = _REGEX_GROUP.sub(lambda m: f"<{m['name']}>", text).replace("\\", "")
        return text, params, objects
    raise AssertionError(f"unknown URL pattern type {type(pattern).__name__}: {pattern!r}")


def walk(patterns=None, prefix="", params=None, objects=None):
    """Every URL pattern of the project, flattened, resolvers followed recursively."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    params, objects = params or {}, objects or set()
    for pattern in patterns:
        text, p, o = _segment(pattern.pattern)
        template = prefix + text
        skipped = next((r for pre, r in SKIPPED_PREFIXES.items() if template.startswith(pre)), "")
        if skipped:
            # One entry per skipped subtree, reported as skipped with its reason.
            root = next(pre for pre in SKIPPED_PREFIXES if template.startswith(pre))
            yield Route(root, (), frozenset(), "", skip_reason=skipped)
            continue
        merged, merged_objects = {**params, **p}, objects | o
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, template, merged, merged_objects)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            name = getattr(callback, "__qualname__", None) or repr(callback)
            yield Route(
                template,
                tuple(sorted(merged.items())),
                frozenset(merged_objects),
                f"{getattr(callback, '__module__', '')}.{name}",
            )


def all_routes() -> list[Route]:
    seen, routes = set(), []
    for route in walk():
        if route.template not in seen:
            seen.add(route.template)
            routes.append(route)
    return routes


ROUTES = all_routes()


def _route_param(route: Route):
    marks = [pytest.mark.skip(reason=route.skip_reason)] if route.skip_reason else []
    return pytest.param(route, id=route.template or "<root>", marks=marks)


# --- the person and everything that points at them ------------------------------------------


@dataclass
class Target:
    person: object
    id_number: str
    masked: str
    object_ids: list[int]
    uuids: list[str]
    secrets_get: list[str] = field(default_factory=list)
    secrets_post: list[str] = field(default_factory=list)

    def fill(self, route: Route) -> list[str]:
        """Concrete paths for the route: object ids of the person for id params, plausible values
        for anything else, each checked against the parameter's regex; capped in number."""
        choices = []
        for name, regex in route.params:
            pool = self._pool(name, name in route.object_params)
            values = [v for v in dict.fromkeys(pool) if re.fullmatch(regex, v)]
            assert values, (
                f"Cannot fill parameter {name!r} of {route.template!r} (regex {regex!r}); "
                "teach tests/test_scope_every_url.py a plausible value for it."
            )
            choices.append((name, values))
        paths = []
        for combo in itertools.islice(
            itertools.product(*[values for _name, values in choices]), MAX_COMBINATIONS
        ):
            values = dict(zip([name for name, _values in choices], combo, strict=True))
            path = _PARAM.sub(lambda m, values=values: values[m["name"]], route.template)
            paths.append("/" + path)
        return paths

    def _pool(self, name: str, is_object: bool) -> list[str]:
        ids = [str(pk) for pk in self.object_ids]
        lname = name.lower()
        if is_object:
            return ids + self.uuids
        pool = []
        if "kind" in lname or "type" in lname:
            pool += ["inflow", "outflow", "verification"]
        if "box" in lname or "folder" in lname or "list" in lname:
            pool += ["inbox", "outbox", "overdue"]
        if "code" in lname or lname in {"division", "jurisdiction", "unit", "within"}:
            pool += [SANTAI_VILLAGE, NANSHAN_VILLAGE, SANTAI_VILLAGE[:6], NANSHAN_VILLAGE[:6]]
        if lname in NON_OBJECT_PARAMS:
            pool += ["2026", "3", "1"]
        plausible = ["inflow", "outflow", "inbox", "outbox", SANTAI_VILLAGE, NANSHAN_VILLAGE]
        return pool + ids + plausible + self.uuids


def _related_rows(person) -> dict[type, set]:
    """The person and every row that refers to them, following the foreign keys and
    many-to-many fields of the project's models three levels deep: {model: {pk, ...}}."""
    from yipanqi.people.models import Person

    found: dict[type, set] = {Person: {person.pk}}
    project_models = [m for m in apps.get_models() if m.__module__.startswith("yipanqi.")]
    for _depth in range(3):
        for model in project_models:
            for f in model._meta.get_fields():
                if not isinstance(f, models.ForeignKey | models.ManyToManyField):
                    continue
                target = f.related_model
                if target not in found or model is target:
                    continue
                rows = model._default_manager.filter(**{f"{f.name}__in": found[target]})
                found.setdefault(model, set()).update(rows.values_list("pk", flat=True)[:50])
    return found


def _related_object_ids(person) -> tuple[list[int], list[str]]:
    """Integer pks and UUID field values of the person and of every row about them."""
    ids, uuids = [person.pk], []
    for model, pks in _related_rows(person).items():
        ids += sorted(pk for pk in pks if isinstance(pk, int))
        for f in model._meta.concrete_fields:
            if isinstance(f, models.UUIDField):
                values = model._default_manager.filter(pk__in=pks).values_list(f.name, flat=True)
                uuids += [str(v) for v in values]
    uuids.append(str(uuid.UUID(int=person.pk)))
    return list(dict.fromkeys(ids)), list(dict.fromkeys(uuids))


def _send_request_about(person, village_worker):
    """南山 asks 三台 to verify the person (R-EX), so request ids exist to probe."""
    from yipanqi.exchange.services import send_request

    return send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=SANTAI_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="scope-test-verify",
        persons=[person],
        payload={"question": f"请核实{PERSON_NAME}的婚姻状况"},
        subject=f"核实{PERSON_NAME}",
    )


@pytest.fixture
def target(register_inflow, village_worker):
    """A woman from 三台县 living in 南山区, registered by the 南山 village worker, and a
    verification request about her from 南山 to 三台."""
    registration = register_inflow(name=PERSON_NAME, id_number=id_for(seq=321), phone=PERSON_PHONE)
    person = registration.person
    _send_request_about(person, village_worker)
    ids, uuids = _related_object_ids(person)
    id_number = person.reveal_id_number()
    masked = person.id_number_masked
    name_forms = [PERSON_NAME, json.dumps(PERSON_NAME)[1:-1]]
    phone_masked = person.phone_masked
    return Target(
        person=person,
        id_number=id_number,
        masked=masked,
        object_ids=ids,
        uuids=uuids,
        secrets_get=[*name_forms, id_number, masked, PERSON_PHONE, phone_masked],
        # A POSTed form may echo what was typed (the ID number), never anything else.
        secrets_post=[*name_forms, masked, PERSON_PHONE, phone_masked],
    )


@pytest.fixture
def outside_township_operator(db):
    """A township operator of 杭州西湖区: may register persons, but not these."""
    from yipanqi.divisions.models import Division

    township = Division.objects.filter(code__startswith="330106", level=4).order_by("code").first()
    return make_user("olivia", "township_operator", township.code)


@pytest.fixture(params=["other_county_admin", "outside_township_operator"])
def outsider(request):
    return request.getfixturevalue(request.param)


def _state(person):
    """Every row about the person, field by field: nothing an outsider does may change it."""
    return {
        model._meta.label: sorted(
            model._default_manager.filter(pk__in=pks).values(), key=lambda row: str(row["id"])
        )
        for model, pks in _related_rows(person).items()
    }


def _form_body(target: Target) -> dict:
    """A plausible form body: the person's ID number, ids and codes, never the name."""
    pk = target.person.pk
    return {
        "id_number": target.id_number,
        "kind": "inflow",
        "within": SANTAI_VILLAGE[:6],
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": "2026-03-02",
        "reason": "work",
        "marital_status": "first_marriage",
        "person": pk,
        "person_id": pk,
        "persons": pk,
        "page": "1",
        # exchange: answering, escalating, sending a request about the person
        "type": "verification",
        "answer": "已核实",
        "question": "请核实",
        "receiver_code": SANTAI_TOWNSHIP,
        "idempotency_key": "scope-probe",
    }


def _json_body(target: Target) -> str:
    body = _form_body(target)
    body["persons"] = body["person_ids"] = [target.person.pk]
    return json.dumps(body)


@dataclass
class Probe:
    method: str
    path: str
    via: str
    status: int
    body: str
    secrets: list[str]

    def leaks(self) -> list[str]:
        return [s for s in self.secrets if s and s in self.body]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.via}) -> {self.status}"


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def probe(client, token_client, route: Route, target: Target) -> list[Probe]:
    """Request every concrete path of the route in every applicable way."""
    results = []

    def run(c, method, path, via, secrets, **kwargs):
        response = getattr(c, method)(path, follow=True, **kwargs)
        first = response.redirect_chain[0][1] if response.redirect_chain else response.status_code
        results.append(Probe(method.upper(), path, via, first, _text(response), secrets))

    for path in target.fill(route):
        resolved = resolve(path)  # the filled path must reach the pattern under test
        assert resolved.route == route.template or route.template.endswith(resolved.route), (
            f"{path} resolved to {resolved.route!r}, not to {route.template!r}"
        )
        run(client, "get", path, "session", target.secrets_get)
        run(client, "post", path, "session form", target.secrets_post, data=_form_body(target))
        if route.is_api:
            json_kwargs = {"data": _json_body(target), "content_type": "application/json"}
            run(client, "post", path, "session json", target.secrets_post, **json_kwargs)
            run(token_client, "get", path, "token", target.secrets_get)
            run(token_client, "post", path, "token json", target.secrets_post, **json_kwargs)
        if not route.takes_object_id:
            # Listing pages with the filters their links use, and pages that take the person
            # in the query string (e.g. exchange/new/?person=<pk>).
            pk = target.person.pk
            by_id = f"?person={pk}&person_id={pk}&id={pk}&pk={pk}"
            for query in ("?kind=inflow", "?kind=outflow", f"?within={SANTAI_VILLAGE[:6]}"):
                run(client, "get", path + query, "session", target.secrets_get)
            run(client, "get", path + by_id, "session", target.secrets_get)
            run(
                client,
                "post",
                path + by_id,
                "session form",
                target.secrets_post,
                data=_form_body(target),
            )
    return results


def _clients(client_class, user):
    from yipanqi.accounts.models import ApiToken

    session = client_class()
    session.force_login(user)
    _token, key = ApiToken.issue(user, name="scope-test")
    token_client = client_class(headers={"authorization": f"Bearer {key}"})
    return session, token_client


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", [_route_param(r) for r in ROUTES])
def test_r_acc_2_outsider_never_sees_the_person_on_any_url(route, target, outsider, client):
    """R-ACC-2 / P3: for EVERY URL pattern, a user of another county gets 403/404 for the
    person's (or a related object's) id and never sees the name, ID number or phone anywhere."""
    session, token_client = _clients(type(client), outsider)
    before = _state(target.person)

    probes = probe(session, token_client, route, target)

    assert probes, f"{route.template} was not requested at all"
    leaks = [f"{p}: shows {p.leaks()}" for p in probes if p.leaks()]
    assert not leaks, "Person data shown to another county:\n" + "\n".join(leaks)
    if route.takes_object_id:
        wrong = [str(p) for p in probes if p.status not in REFUSED]
        assert not wrong, (
            f"{route.template} takes an object id {sorted(route.object_params)}; another county "
            "must get 403/404 for the person's ids:\n" + "\n".join(wrong)
        )
    assert _state(target.person) == before, f"{route.template}: an outsider changed the person"


@pytest.mark.django_db
def test_r_acc_2_the_probe_detects_a_leak_for_an_insider(target, village_worker, client):
    """R-ACC-2 (control): the same probe run as the village worker who registered the person
    does find the name on the person page and the API, so the outsider test can fail."""
    session, token_client = _clients(type(client), village_worker)
    by_template = {r.template: r for r in ROUTES}

    page = probe(session, token_client, by_template["persons/<int:pk>/"], target)
    api = probe(session, token_client, by_template["api/v1/persons/<int:person_id>"], target)

    page_get = [p for p in page if p.method == "GET" and p.path.endswith(f"/{target.person.pk}/")]
    assert page_get[0].status == 200
    assert PERSON_NAME in page_get[0].leaks()
    assert target.id_number in page_get[0].leaks()
    api_get = [p for p in api if p.via == "token" and p.method == "GET"]
    assert any(p.status == 200 and p.leaks() for p in api_get)


def test_r_acc_2_every_pattern_is_enumerated():
    """R-ACC-2: the walk reaches the web pages, the API, the division partials and nested
    includes, marks id-taking patterns, and skips only the listed prefixes."""
    templates = {r.template: r for r in ROUTES}

    assert templates["persons/<int:pk>/"].object_params == {"pk"}
    assert templates["api/v1/persons/<int:person_id>"].object_params == {"person_id"}
    assert templates["register/<str:kind>/"].object_params == frozenset()
    for expected in ("", "persons/", "login/", "api/v1/persons/search", "api/v1/openapi.json"):
        assert expected in templates
    assert any(t.startswith("divisions/") for t in templates)
    skipped = {r.template for r in ROUTES if r.skip_reason}
    assert skipped <= set(SKIPPED_PREFIXES)
    assert "admin/" in skipped
    assert all(not r.skip_reason for r in ROUTES if r.template not in SKIPPED_PREFIXES)


@pytest.mark.django_db
def test_r_acc_2_api_person_by_id_is_404_for_another_county(target, other_county_admin, client):
    """R-ACC-2: GET /api/v1/persons/{id} with the other county's token answers 404."""
    _session, token_client = _clients(type(client), other_county_admin)

    response = token_client.get(f"/api/v1/persons/{target.person.pk}")

    assert response.status_code == 404
    assert PERSON_NAME not in response.content.decode()


@pytest.mark.django_db
def test_r_acc_2_api_search_by_exact_id_finds_nobody_in_another_county(
    target, other_county_admin, village_worker, client
):
    """R-ACC-2: POST /api/v1/persons/search with the person's exact ID number, as 玄武区,
    returns zero results (and as the 南山 worker, one: the control)."""
    _session, outsider_api = _clients(type(client), other_county_admin)
    _s, insider_api = _clients(type(client), village_worker)
    body = json.dumps({"id_number": target.id_number})

    outside = outsider_api.post("/api/v1/persons/search", body, content_type="application/json")
    inside = insider_api.post("/api/v1/persons/search", body, content_type="application/json")

    assert outside.status_code == 200
    assert outside.json()["count"] == 0
    assert outside.json()["results"] == []
    assert inside.json()["count"] == 1


@pytest.mark.django_db
def test_r_acc_2_refused_person_page_is_audited(target, other_county_admin, client):
    """R-ACC-2 / P5: another county opening the person page gets 404 and the refusal is
    written to the audit trail (action person_denied, result denied)."""
    from yipanqi.audit.models import AuditEvent

    client.force_login(other_county_admin)

    response = client.get(f"/persons/{target.person.pk}/")

    assert response.status_code == 404
    denied = AuditEvent.objects.filter(
        actor=other_county_admin, action="person_denied", person_id=target.person.pk
    )
    assert denied.count() == 1
    assert denied.get().result == "denied"


@pytest.mark.django_db
def test_r_acc_2_outsider_home_page_counts_nothing_of_the_person(target, other_county_admin):
    """R-ACC-2: the other county's home page counts 0 inflow and 0 outflow persons while the
    person is registered (the counts are per jurisdiction, not global)."""
    from django.test import Client

    client = Client()
    client.force_login(other_county_admin)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["counts"] == {"inflow": 0, "outflow": 0}
    assert not list(response.context["recent"])


def test_fill_builds_every_parameter_from_the_person():
    """R-ACC-2 (helper): an unknown id parameter gets the person's pk and related ids, an unknown
    string parameter gets plausible values, and every value matches the converter."""
    t = Target(
        person=type("P", (), {"pk": 7})(),
        id_number="",
        masked="",
        object_ids=[7, 12],
        uuids=[str(uuid.UUID(int=7))],
    )
    route = Route(
        "requests/<int:request_id>/<str:kind>/",
        (("kind", "[^/]+"), ("request_id", "[0-9]+")),
        frozenset({"request_id"}),
        "x",
    )

    paths = t.fill(route)

    assert "/requests/7/inflow/" in paths
    assert "/requests/12/outflow/" in paths
    assert all(re.fullmatch(r"/requests/\d+/[^/]+/", p) for p in paths)


@pytest.mark.django_db
def test_r_acc_2_state_snapshot_sees_a_new_row_about_the_person(target, township_operator):
    """R-ACC-2 (helper): the before/after snapshot covers rows added about the person (here
    the home side's outflow registration and its events), so a write by an outsider fails."""
    from yipanqi.people.services import RegistrationInput, register

    before = _state(target.person)

    register(
        RegistrationInput(
            id_number=target.id_number,
            name=PERSON_NAME,
            home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE,
            arrival_date=dt.date(2026, 2, 20),
            reason="work",
            marital_status="first_marriage",
        ),
        kind="outflow",
        acting_user=township_operator,
    )

    after = _state(target.person)
    assert after != before
    assert len(after["people.Registration"]) == len(before["people.Registration"]) + 1
    assert "exchange.Request" in before
