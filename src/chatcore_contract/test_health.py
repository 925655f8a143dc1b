"""Health, the OpenAPI document, and errors as problem documents."""

from __future__ import annotations

import secrets

import httpx

from chatcore_contract._support import expect, expect_fields, expect_problem


def test_health_answers_ok_with_a_version(api: httpx.Client) -> None:
    """GET /health is 200 {status: ok, version}."""
    body = expect(api.get("/health"), 200)
    assert body["status"] == "ok", body
    assert isinstance(body.get("version"), str) and body["version"], body


def test_the_database_is_healthy(api: httpx.Client) -> None:
    """GET /health/db is 200 {status: healthy, database: connected, latency_ms, pool}."""
    body = expect(api.get("/health/db"), 200)
    expect_fields(body, {"status", "database", "latency_ms", "pool"}, "/health/db")
    assert (body["status"], body["database"]) == ("healthy", "connected"), body
    assert isinstance(body["latency_ms"], int | float) and isinstance(body["pool"], dict), body


def test_openapi_is_3_1_with_bearer_auth(api: httpx.Client) -> None:
    """GET /schema/openapi.json is OpenAPI 3.1 declaring bearer auth on protected routes."""
    document = expect(api.get("/schema/openapi.json"), 200)
    assert str(document.get("openapi", "")).startswith("3.1"), document.get("openapi")
    schemes = document.get("components", {}).get("securitySchemes", {})
    bearer_schemes = {
        name
        for name, scheme in schemes.items()
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
    }
    assert bearer_schemes, f"no bearer security scheme among {sorted(schemes)}"
    chat = document.get("paths", {}).get("/v1/chat", {}).get("post", {})
    required = {name for requirement in chat.get("security", []) for name in requirement}
    assert required & bearer_schemes, f"POST /v1/chat declares security {chat.get('security')}"


def test_an_unknown_route_is_a_404_problem(api: httpx.Client) -> None:
    """An unknown path is 404 not_found as application/problem+json."""
    expect_problem(api.get(f"/v1/no-such-route-{secrets.token_hex(4)}"), 404, "not_found")


def test_malformed_json_is_400_malformed_body(api: httpx.Client) -> None:
    """A body that is not JSON is 400 malformed_body."""
    response = api.post(
        "/v1/auth/otp/request",
        content=b'{"email": ',
        headers={"Content-Type": "application/json"},
    )
    expect_problem(response, 400, "malformed_body")


def test_an_invalid_body_is_422_with_the_fields_in_error(api: httpx.Client) -> None:
    """JSON that does not validate is 422 validation_failed with errors [{field, message}]."""
    problem = expect_problem(
        api.post("/v1/auth/otp/request", json={"email": 42}), 422, "validation_failed"
    )
    errors = problem.get("errors")
    assert isinstance(errors, list) and errors, problem
    for error in errors:
        expect_fields(error, {"field", "message"}, "an entry of errors")


def test_a_body_not_declared_json_is_415(api: httpx.Client) -> None:
    """A JSON route answers a text/plain body (what a cross-site form sends) with 415."""
    body = b'{"email": "contract@example.invalid", "password": "not the password"}'
    response = api.post("/v1/auth/login", content=body, headers={"Content-Type": "text/plain"})
    expect_problem(response, 415, "unsupported_media_type")


def test_deeply_nested_json_is_400_malformed_body(api: httpx.Client) -> None:
    """JSON nested a thousand levels deep is 400 malformed_body, not a server error."""
    deep = b'{"email": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = api.post(
        "/v1/auth/login", content=deep, headers={"Content-Type": "application/json"}
    )
    expect_problem(response, 400, "malformed_body")


def test_a_422_names_every_invalid_field(api: httpx.Client) -> None:
    """An empty object where two fields are required names both in errors."""
    problem = expect_problem(api.post("/v1/auth/login", json={}), 422, "validation_failed")
    fields = {error.get("field") for error in problem.get("errors", [])}
    assert fields >= {"email", "password"}, problem
