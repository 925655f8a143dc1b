"""What the OpenAPI document promises, checked against what the server is known to do."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
PROBLEM_JSON = "application/problem+json"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
async def spec(client: Client) -> dict[str, Any]:
    """The served document."""
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        found: dict[str, Any] = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
        return found
    return schema


# These answer errors as OpenAI does, so that OpenAI's SDKs raise their own classes.
OPENAI_SHAPED = {"GET /v1/models", "POST /v1/chat/completions"}


def test_every_4xx_is_a_problem_document(spec: dict[str, Any]) -> None:
    for name, operation in operations(spec):
        if name in OPENAI_SHAPED:
            continue
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert list(response["content"]) == [PROBLEM_JSON], (name, status)
                schema = resolved(spec, response["content"][PROBLEM_JSON]["schema"])
                assert {"type", "title", "status", "detail", "code"} <= set(schema["required"])
                assert ("errors" in schema["required"]) == (status == "422"), (name, status)


def test_the_openai_routes_declare_openai_errors_and_no_422(spec: dict[str, Any]) -> None:
    for name in OPENAI_SHAPED:
        responses = dict(operations(spec))[name]["responses"]
        assert {"401", "403"} <= set(responses) and "422" not in responses, name
        for status, response in responses.items():
            if status.startswith("4"):
                assert list(response["content"]) == ["application/json"], (name, status)
                schema = resolved(spec, response["content"]["application/json"]["schema"])
                error = resolved(spec, schema["properties"]["error"])
                assert set(error["required"]) == {"message", "type", "param", "code"}
    completions = dict(operations(spec))["POST /v1/chat/completions"]["responses"]
    assert {"400", "404", "415", "429"} <= set(completions)
    assert "Retry-After" in completions["429"]["headers"]
    assert list(completions["200"]["content"]) == ["application/json", "text/event-stream"]


def test_protected_operations_declare_401_and_403(spec: dict[str, Any]) -> None:
    for name, operation in operations(spec):
        if {"bearer": []} in operation.get("security", []):
            assert {"401", "403"} <= set(operation["responses"]), name


def test_the_errors_each_route_can_answer_are_declared(spec: dict[str, Any]) -> None:
    def statuses(name: str) -> set[str]:
        return set(dict(operations(spec))[name]["responses"])

    assert {"400", "415", "422"} <= statuses("POST /v1/dialogs")  # a JSON body
    assert "404" in statuses("GET /v1/dialogs/{dialog_id}")  # an id in the path
    assert "422" in statuses("GET /v1/dialogs")  # a forged cursor
    assert {"413", "415", "422"} <= statuses("POST /v1/documents")
    assert {"401", "403", "429"} <= statuses("POST /v1/auth/login")
    assert {"403", "429"} <= statuses("POST /v1/sessions")
    assert "403" in statuses("POST /v1/auth/otp/verify")
    assert "403" in statuses("GET /v1/auth/confirm")
    assert "409" in statuses("POST /v1/tenants")
    assert "401" in statuses("GET /v1/tenants")  # admin_required


def test_every_429_carries_retry_after(spec: dict[str, Any]) -> None:
    declared = [(name, op["responses"].get("429")) for name, op in operations(spec)]
    limited = [(name, response) for name, response in declared if response]
    assert {name for name, _ in limited} >= {"POST /v1/chat", "POST /v1/sessions"}
    for name, response in limited:
        assert "Retry-After" in response["headers"], name


def test_chat_streams_as_server_sent_events(spec: dict[str, Any]) -> None:
    assert list(spec["paths"]["/v1/chat"]["post"]["responses"]["200"]["content"]) == [
        "text/event-stream"
    ]


def test_an_upload_is_declared_202_201_or_200(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/v1/documents"]["post"]["responses"]
    assert {"200", "201", "202"} <= set(responses)


def test_the_dialog_body_may_be_left_out(spec: dict[str, Any]) -> None:
    assert spec["paths"]["/v1/dialogs"]["post"]["requestBody"]["required"] is False


def test_request_bodies_refuse_unknown_fields(spec: dict[str, Any]) -> None:
    for name, operation in operations(spec):
        if name in OPENAI_SHAPED:  # OpenAI's API ignores fields it does not know
            continue
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            for part in schema.get("oneOf", [schema]):
                if "$ref" in part:
                    assert resolved(spec, part)["additionalProperties"] is False, name


def test_register_declares_what_the_server_checks(spec: dict[str, Any]) -> None:
    body = spec["components"]["schemas"]["RegisterBody"]["properties"]
    assert body["email"]["format"] == "email"
    assert body["email"]["maxLength"] == 254
    assert body["password"]["minLength"] == 8
    assert body["password"]["maxLength"] == 128


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "a@b.co", "password": "short"}, "password", "at least 8 characters"),
        ({"email": "a@b.co*", "password": "long enough 1"}, "email", "expected form"),
    ],
)
async def test_the_declared_constraints_are_the_ones_enforced(
    client: Client, body: dict[str, str], field: str, message: str
) -> None:
    response = await client.post("/v1/auth/register", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/auth/me", "DELETE, GET, OPTIONS"),
        ("/v1/dialogs", "GET, OPTIONS, POST"),
        ("/v1/dialogs/00000000-0000-0000-0000-000000000000", "DELETE, GET, OPTIONS, PATCH"),
    ],
)
async def test_options_names_every_method_of_the_path(
    client: Client, path: str, methods: str
) -> None:
    response = await client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == methods
