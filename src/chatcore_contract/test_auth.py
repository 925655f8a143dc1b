"""Credentials without mail: 401 without them, and anonymous sessions."""

from __future__ import annotations

import secrets

import httpx
import pytest

from chatcore_contract._accounts import Accounts, Principal, anonymous_of
from chatcore_contract._support import (
    bearer,
    expect,
    expect_fields,
    expect_problem,
    session_cookie,
)

PROTECTED = [
    ("GET", "/v1/auth/me"),
    ("GET", "/v1/dialogs"),
    ("GET", "/v1/documents"),
    ("GET", "/v1/usage"),
    ("GET", "/v1/profile"),
    ("GET", "/v1/saved"),
    ("POST", "/v1/chat"),
    ("POST", "/v1/search"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_a_protected_route_without_credentials_is_401(
    api: httpx.Client, method: str, path: str
) -> None:
    """A protected route without credentials is 401 not_authenticated."""
    body = {"/v1/chat": {"message": "hello"}, "/v1/search": {"query": "hello"}}.get(path)
    response = api.request(method, path, json=body)
    expect_problem(response, 401, "not_authenticated")


def test_a_forged_token_is_401(api: httpx.Client) -> None:
    """A bearer token the server did not issue is 401 not_authenticated."""
    forged = bearer(f"eyJhbGciOiJIUzI1NiJ9.{secrets.token_urlsafe(24)}.{secrets.token_urlsafe(32)}")
    expect_problem(api.get("/v1/auth/me", headers=forged), 401, "not_authenticated")


@pytest.mark.parametrize("path", ["/v1/auth/login", "/v1/sessions"])
def test_a_sign_in_from_a_foreign_origin_is_403(api: httpx.Client, path: str) -> None:
    """A route that sets the session cookie refuses an unlisted Origin: 403 csrf_rejected."""
    body = {"email": "contract@example.invalid", "password": "not the password"}
    login = path == "/v1/auth/login"
    response = api.post(
        path, json=body if login else None, headers={"Origin": "https://unlisted.invalid"}
    )
    expect_problem(response, 403, "csrf_rejected")


def test_an_anonymous_session_signs_in_with_token_and_cookie(accounts: Accounts) -> None:
    """POST /v1/sessions is 201 {session_id, access_token, created_at} and sets the cookie."""
    response = accounts.start_anonymous()
    principal = anonymous_of(response)
    try:
        expect_fields(response.json(), {"session_id", "access_token", "created_at"}, "the session")
        cookie = session_cookie(response).lower()
        assert "httponly" in cookie and "path=/" in cookie, cookie
        expect(accounts.api.get("/v1/auth/me", headers=principal.headers), 200)
        by_cookie = {"Cookie": f"chatcore_session={principal.token}"}
        expect(accounts.api.get("/v1/usage", headers=by_cookie), 200)
    finally:
        accounts.delete(principal)


def test_a_deleted_session_is_revoked_at_once(api: httpx.Client, anonymous: Principal) -> None:
    """DELETE /v1/sessions/{id} is 204, and its token is refused from then on."""
    response = api.delete(f"/v1/sessions/{anonymous.session_id}", headers=anonymous.headers)
    assert response.status_code == 204, response.text
    expect_problem(api.get("/v1/auth/me", headers=anonymous.headers), 401, "not_authenticated")
