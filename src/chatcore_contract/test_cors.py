"""Cross-origin requests: a listed origin is allowed with credentials; others get no
CORS headers at all."""

from __future__ import annotations

import httpx
import pytest

from chatcore_contract._accounts import Deployment, Principal
from chatcore_contract._support import SSE, could_not_run, expect_status

UNLISTED = "https://unlisted.invalid"


def preflight(api: httpx.Client, origin: str) -> httpx.Response:
    """The preflight a browser sends before a credentialed JSON POST to /v1/chat."""
    return api.options(
        "/v1/chat",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


@pytest.fixture
def allowed_origin(deployment: Deployment) -> str:
    """The origin given with --origin."""
    if deployment.origin is None:
        could_not_run("no --origin given (one listed in CHATCORE_ALLOW_ORIGINS)")
    return deployment.origin


def expect_allowed(response: httpx.Response, origin: str) -> None:
    """Fail unless the response allows ``origin`` with credentials."""
    for name, wanted in (
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
    ):
        got = response.headers.get(name)
        request = response.request
        assert got == wanted, (
            f"{name} is {got!r}, not {wanted!r}, on {request.method} {request.url.path}"
        )


def cors_headers(response: httpx.Response) -> list[str]:
    """The names of the response's CORS headers."""
    return [name for name in response.headers if name.lower().startswith("access-control-")]


def test_a_listed_origin_passes_the_preflight(api: httpx.Client, allowed_origin: str) -> None:
    """A preflight from --origin is allowed, with credentials."""
    response = preflight(api, allowed_origin)
    answer = f"{response.status_code} {response.text[:200]}"
    assert response.status_code in (200, 204), f"the preflight was answered {answer}"
    expect_allowed(response, allowed_origin)


def test_responses_to_a_listed_origin_carry_cors_headers(
    api: httpx.Client, allowed_origin: str
) -> None:
    """Responses to --origin, errors included, allow it with credentials."""
    health = api.get("/health", headers={"Origin": allowed_origin})
    expect_status(health, 200)
    expect_allowed(health, allowed_origin)
    refused = api.get("/v1/auth/me", headers={"Origin": allowed_origin})
    expect_status(refused, 401)
    expect_allowed(refused, allowed_origin)


def test_an_unlisted_origin_gets_no_cors_headers(api: httpx.Client) -> None:
    """A preflight and a request from an unlisted origin get no CORS headers."""
    assert cors_headers(preflight(api, UNLISTED)) == [], f"the preflight from {UNLISTED} got them"
    health = api.get("/health", headers={"Origin": UNLISTED})
    expect_status(health, 200)
    assert cors_headers(health) == [], f"GET /health from {UNLISTED} got them"


def test_a_stream_to_a_listed_origin_carries_cors_headers(
    api: httpx.Client, allowed_origin: str, principal: Principal
) -> None:
    """A chat's event stream to --origin allows it with credentials."""
    response = api.post(
        "/v1/chat",
        json={"message": "Contract check: say hello.", "use_documents": False},
        headers={**principal.headers, **SSE, "Origin": allowed_origin},
    )
    expect_status(response, 200)
    expect_allowed(response, allowed_origin)
