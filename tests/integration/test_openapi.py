"""The OpenAPI document is the API's contract: complete, valid, and what the API really answers."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import OpenAPIV31SpecValidator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import ChecksConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance, response_schema_conformance

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.api import views

MAX_EXAMPLES = 25
# Schemathesis's own list of statuses that say "invalid input refused".
NEGATIVE_REJECTIONS = ChecksConfig.from_dict({}).negative_data_rejection.expected_statuses
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def flask_rule_as_openapi_path(rule: str) -> str:
    """/api/v1/members/<int:member_id> -> /api/v1/members/{member_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_the_openapi_document_describes_every_api_route_the_app_has(app, client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(document).validate()  # raises, naming what is wrong
    routed = {
        (flask_rule_as_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - IGNORED_METHODS
    }
    documented = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented operations with no route"


def test_the_openapi_document_needs_no_token_and_says_how_to_send_one(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearerAuth": []}]


def _schema(app, headers: dict[str, str]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.update(headers=headers)
    # NUL is refused in any text (422 invalid_text, documented on every operation that
    # takes text), which JSON Schema cannot say of every string and key: generated data
    # holds none. test_hostile_input.py drives NUL and lone surrogates at the API.
    schema.config.generation.update(allow_x00=False)
    # A body past the server's 6 MB limit is refused with 413 before anything reads it:
    # for an oversized invalid body that is the right refusal, and it is documented.
    schema.config.checks = ChecksConfig.from_dict(
        {"negative_data_rejection": {"expected-statuses": [*NEGATIVE_REJECTIONS, "413"]}}
    )
    return schema


BOTH_MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def run_every_operation(schema, test, modes=BOTH_MODES) -> list[str]:
    """Run ``test(case)`` on generated requests for every operation: valid ones, then invalid ones."""
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:

            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                test(case)

            try:
                run()
            except Unsatisfiable:
                # Nothing about this operation can be made invalid (no parameters, no body).
                if mode is GenerationMode.POSITIVE:
                    raise
        tested.append(f"{operation.method.upper()} {operation.path}")
    return tested


@pytest.fixture
def workspace_token(app, make_workspace, add_member) -> str:
    """A seeded workspace (an owner, a researcher, a viewer) and a token of its owner."""
    owner = make_workspace(name="Northwind", owner_name="Dana Reyes")
    add_member(owner, Role.RESEARCHER, name="Rae Researcher")
    add_member(owner, Role.VIEWER, name="Vic Viewer")
    make_workspace(name="Elsewhere")  # ids that must answer 404 through this token
    with app.app_context():
        _, secret = api_tokens.create_api_token(owner.user_id, owner.workspace_id, "schemathesis")
    return secret


def test_every_operation_answers_generated_requests_as_documented(app, workspace_token):
    schema = _schema(app, {"Authorization": f"Bearer {workspace_token}"})

    def check(case):
        # Public booking endpoints validate what no schema can say (`to` after `from`, a
        # real phone number, a time that is still free), so a 422 for schema-valid input
        # is their documented answer; every other check still runs on them. So do
        # operations marked x-semantic-validation (a takeaway's participant must exist).
        semantic = case.operation.definition.raw.get("x-semantic-validation", False)
        excluded = [positive_data_acceptance] if _is_public(case) or semantic else []
        case.call_and_validate(excluded_checks=excluded)

    tested = run_every_operation(schema, check)

    assert "GET /api/v1/members/{member_id}" in tested


def _is_public(case) -> bool:
    return case.operation.definition.raw.get("security") == []


def refused_with_the_error_shape(message: str):
    """A check: the operation answers 401, the error shape, and a message saying what to fix."""

    def check(case):
        response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
        if _is_public(case):
            return
        assert response.status_code == 401, response.text
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"] == {"code": "unauthorized", "message": message}
        assert response.headers["www-authenticate"] == ["Bearer"]

    return check


def _refused_or_not_found(case):
    # An invalid path (member_id=-1) matches no route: 404 before any token is looked at.
    response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
    if not _is_public(case):
        assert response.status_code in (401, 404), response.text
        assert set(response.json()["error"]) == {"code", "message"}


def test_without_a_token_every_team_operation_answers_401_with_the_error_shape(app):
    schema = _schema(app, {})
    # No generated Authorization header either: the request carries no credential at all.
    schema.config.generation.update(with_security_parameters=False)

    refused = refused_with_the_error_shape("Send an API token: Authorization: Bearer <token>.")
    run_every_operation(schema, refused, modes=[GenerationMode.POSITIVE])
    run_every_operation(schema, _refused_or_not_found, modes=[GenerationMode.NEGATIVE])


def test_with_a_bad_token_every_team_operation_answers_401_with_the_error_shape(
    app, workspace_token
):
    schema = _schema(app, {"Authorization": "Bearer idk_not-a-real-token"})

    refused = refused_with_the_error_shape("This API token is not valid or was revoked.")
    run_every_operation(schema, refused, modes=[GenerationMode.POSITIVE])
    run_every_operation(schema, _refused_or_not_found, modes=[GenerationMode.NEGATIVE])


def test_an_id_too_big_for_the_database_is_not_found_rather_than_a_server_error(
    client, workspace_token
):
    # Past PostgreSQL's integer, past SQLite's 64 bits, and far past both.
    for member_id in (2**31, 2**63, 10**30):
        response = client.get(
            f"/api/v1/members/{member_id}", headers={"Authorization": f"Bearer {workspace_token}"}
        )

        assert response.status_code == 404, member_id
        assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "url", "body", "message"),
    [
        (
            "get",
            "/api/v1/interviews?status=maybe",
            None,
            "`status` is one of booked, cancelled, joined, no_show, completed.",
        ),
        ("get", "/api/v1/takeaways?limit=201", None, "`limit` is at most 200."),
        ("get", "/api/v1/rewards?study_id=abc", None, "study_id must be a positive whole"),
        ("post", "/api/v1/takeaways", {"text": "Slow", "importance": "2"}, "`importance` is a"),
        ("post", "/api/v1/takeaways", {"quote": "Slow"}, "`text` is required."),
        ("post", "/api/v1/takeaways", {"text": "Slow", "tags": ["ok", 7]}, "`tags[1]` is text."),
        ("post", "/api/v1/takeaways", ["Slow"], "Send a JSON object"),
        ("post", "/api/v1/takeaways", 0, "Send a JSON object"),
    ],
)
def test_a_request_its_declared_model_refuses_is_a_422_naming_the_field_and_writes_nothing(
    client, workspace_token, method, url, body, message
):
    auth = {"Authorization": f"Bearer {workspace_token}"}

    response = getattr(client, method)(url, json=body, headers=auth)

    assert response.status_code == 422
    assert set(response.json) == {"error"}
    assert response.json["error"]["code"] == "invalid_input"
    assert response.json["error"]["message"].startswith(message)
    assert client.get("/api/v1/takeaways", headers=auth).json["total"] == 0


def test_an_answer_unlike_its_declared_model_is_a_server_error_while_testing(
    client, workspace_token, monkeypatch
):
    auth = {"Authorization": f"Bearer {workspace_token}"}
    assert client.get("/api/v1/members", headers=auth).status_code == 200
    # A member without the role the document promises.
    monkeypatch.setattr(views, "_member_json", lambda m: {"id": m.membership_id, "name": m.name})

    response = client.get("/api/v1/members", headers=auth)

    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"
