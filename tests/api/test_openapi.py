"""The OpenAPI document: it describes exactly the routes there are, reads its enumerations from
the machine, and holds against the running app under property-based testing."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from workflow.papers import documents
from workflow.process import machine, states
from workflow.rules.credit_code import credit_code_problem
from workflow.services.consent import CHOICES

from ..journey import Clock, pdf_bytes
from .conftest import PREFIX


@pytest.fixture
def doc(api):
    r = api.get("/openapi.json")
    assert r.status_code == 200
    return r.get_json()


def flask_paths(app) -> set[tuple[str, str]]:
    """Every (path, method) the blueprint serves, in OpenAPI spelling."""
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = rule.rule.removeprefix(PREFIX)
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            out.add((path, method.lower()))
    return out


def documented_paths(doc) -> set[tuple[str, str]]:
    out = set()
    for path, item in doc["paths"].items():
        if "/transitions/" in path:
            path = path.rsplit("/", 1)[0] + "/{trigger}"
        out |= {(path, m) for m in item if m != "parameters"}
    return out


def test_every_route_is_documented_and_nothing_else(app, doc):
    assert documented_paths(doc) == flask_paths(app)


def test_one_operation_per_trigger_of_the_declaration(doc):
    fired = sorted(p.rsplit("/", 1)[1] for p in doc["paths"] if "/transitions/" in p)
    assert fired == sorted(machine.TRANSITION)
    approve = doc["paths"]["/cases/{case_id}/transitions/approve_subsidy"]["post"]
    assert set(approve["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "amount",
        "reason",
    }
    assert "422" in approve["responses"] and "409" in approve["responses"]


def test_a_problems_answer_takes_json_or_multipart_with_photos(doc):
    answer = doc["paths"]["/cases/{case_id}/problems/{problem_id}/answer"]["post"]
    content = answer["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    form = content["multipart/form-data"]["schema"]
    assert {"text", "photos"} <= set(form["properties"]) and "415" in answer["responses"]


def test_enumerations_come_from_the_declaration(doc):
    schemas = doc["components"]["schemas"]
    assert schemas["Case"]["properties"]["state"]["enum"] == [s.name for s in states.STATES]
    action = schemas["Case"]["properties"]["actions"]["items"]
    assert action["properties"]["trigger"]["enum"] == [t.trigger for t in machine.TRANSITIONS]
    assert schemas["VoteRequest"]["properties"]["choice"]["enum"] == list(CHOICES)
    kind = doc["paths"]["/cases/{case_id}/documents/{kind}"]["put"]["parameters"][1]
    assert kind["schema"]["enum"] == list(documents.KINDS)


def test_every_reference_in_the_document_resolves(doc):
    """A client generator stops at the first `$ref` that points nowhere."""
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(doc)))
    assert refs, "the document references no schema at all"
    missing = []
    for ref in refs:
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            missing.append(ref)
    assert missing == []


def test_every_error_response_is_the_error_schema(doc):
    for name, response in doc["components"]["responses"].items():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, name


def test_public_operations_need_no_token(doc):
    public = {
        (path, method)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method != "parameters" and op.get("security") == []
    }
    assert public == {
        ("/token", "post"),
        ("/workflow", "get"),
        ("/openapi.json", "get"),
        ("/sign/{token}", "get"),
        ("/sign/{token}", "post"),
        ("/sign/{token}/proxy", "post"),
        ("/sign/{token}/data", "get"),
        ("/sign/{token}/money", "get"),
        # The residents act through their household's link too (居民监督、居民验收).
        ("/sign/{token}/residents", "get"),
        ("/sign/{token}/supervisor", "post"),
        ("/sign/{token}/problems", "post"),
        ("/sign/{token}/problems/{problem_id}/close", "post"),
        ("/sign/{token}/acceptance", "post"),
        ("/sign/{token}/objections/{objection_id}/withdraw", "post"),
        ("/verify/{code}", "get"),
        ("/track", "get"),
        ("/installers", "get"),  # the installers' record: public, no personal data
    }


# — property-based: the document against the app ——————————————————————————————————————


FLOORS = 6  # the journey's building


def whole(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else None


def as_the_cases_have_it(case, real_id, rooms: dict[int, list[str]], positive: bool) -> None:
    """Point a generated request at real data: a real case, and a room of its roster (a room
    is checked against the case's roster, which no schema can know). A negative example keeps
    what was broken on purpose: only a valid id is swapped, and no room."""
    path = case.path_parameters or {}
    if real_id is not None and isinstance(whole(path.get("case_id")), int):
        if 1 <= whole(path["case_id"]) <= 2**31 - 1:
            path["case_id"] = real_id
    body = case.body if isinstance(case.body, dict) else {}
    if positive and "file" in body:
        body["file"] = pdf_bytes()  # the document says PDF; a generator makes only bytes
    known = rooms.get(path.get("case_id"))
    for by_room in ("compensations", "running_cost_shares"):
        given = body.get(by_room)
        if positive and known and isinstance(given, dict) and "households" not in body:
            body[by_room] = {known[i % len(known)]: v for i, v in enumerate(given.values())}
    if (
        positive
        and known
        and "households" not in body
        and (whole(body.get("floors")) or 99) < FLOORS
    ):
        body["floors"] = FLOORS  # fewer floors than the stored roster reaches: a roster rule
    if positive and known and isinstance(body.get("room"), str):
        if case.operation.path.endswith(("/votes", "/objections")):
            body["room"] = known[len(body["room"]) % len(known)]


def describable(case) -> bool:
    """Rules a JSON Schema cannot state (the model checks them, the document says them in
    words): no flat above the top floor, each room once, compensation and running-cost parts
    only for a room of the roster; an organisation running the elevator carries a unified social credit code whose check
    character holds; an inspection took place on a real day, not in the future."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.operation.path.endswith("/inspections") and "inspected_on" in body:
        try:  # an inspection is recorded after it took place, in this century
            day = date.fromisoformat(str(body["inspected_on"]))
        except ValueError:
            return False
        if not date(2000, 1, 1) <= day <= Clock()().date():
            return False
    unit = body.get("management_unit")
    if isinstance(unit, dict) and unit.get("kind") != "owners":
        if credit_code_problem(str(unit.get("credit_code") or "")):
            return False
    rows = body.get("households")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return True
    top = whole(body.get("floors")) or FLOORS
    rooms = [str(r.get("room", "")).strip() for r in rows]
    floors_ok = all((whole(r.get("floor")) or 0) <= top for r in rows)
    by_room_ok = all(
        not isinstance(given, dict) or {str(k).strip() for k in given} <= set(rooms)
        for given in (body.get("compensations"), body.get("running_cost_shares"))
    )
    return floors_ok and by_room_ok and len(set(rooms)) == len(rooms)


def _needs_token(operation) -> bool:
    """Whether the operation asks for the bearer token (public ones say `security: []`)."""
    return operation.definition.raw.get("security") != []


def fuzz(operation, tokens, rooms, checks, mode):
    """A bounded property-based run of one operation; most examples aim at real cases."""

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        token=st.sampled_from(tokens),
        real_id=st.sampled_from([None, *rooms]),
    )
    def run(case, token, real_id):
        assume(describable(case))
        # The token is always sent below: a negative example that breaks the document by leaving
        # the Authorization header out is no longer negative once it is put back.
        headers = {k.lower() for k in (case.headers or {})}
        assume(mode.is_positive or "authorization" in headers or not _needs_token(operation))
        as_the_cases_have_it(case, real_id, rooms, mode.is_positive)
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)

    run()


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_the_app_answers_as_its_document_says_and_never_500(app, api, app_journey, mode):
    """Random requests from the document (bounded: a few examples per operation) with real
    tokens and real cases in several states: no server error, every answer in the document.
    Negative examples break the document on purpose (wrong types, missing fields)."""
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import CHECKS, load_all_checks

    case_ids = [
        app_journey.case_in(state)
        for state in ("draft", "consultation", "publicity", "review", "subsidy_review")
    ]
    tokens = [api.token(who) for who in ("owner", "clerk", "housing")]
    rooms = {cid: [h["room"] for h in api.case(cid, "clerk")["households"]] for cid in case_ids}
    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)
    # A 422 lists the guards a real case does not meet yet (DESIGN §7): a refusal that depends
    # on the case's state, as a 409 does, not a request the document should have called invalid.
    accepted = schema.config.checks.positive_data_acceptance.expected_statuses
    schema.config.checks.positive_data_acceptance.expected_statuses = [*accepted, "422"]
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {
        f"{method.upper()} {path}"
        for path, item in schema.raw_schema["paths"].items()
        for method in item
        if method != "parameters"
    }
    # schemathesis leaves out the document's own endpoint
    assert {o.label for o in operations} == documented - {"GET /openapi.json"}

    load_all_checks()
    checks = CHECKS.get_all()  # every check schemathesis has, as `--checks all`
    failures = []
    # Revoking tokens comes last: it would log the other operations out.
    for operation in sorted(operations, key=lambda o: o.label == "DELETE /token"):
        try:
            fuzz(operation, tokens, rooms, checks, GenerationMode(mode))
        except Unsatisfiable:
            assert mode == "negative"  # nothing in this operation can be made invalid
        except Exception as exc:  # noqa: BLE001 - every operation's failure, not only the first
            failures.append(f"{operation.label}: {exc!r}")
    assert not failures, "\n\n".join(failures)
