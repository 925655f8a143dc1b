"""What a JSON route accepts as a body: declared JSON only, of a sane depth, and when it
does not validate, every invalid field named at once."""

from __future__ import annotations

import logging

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.contract.http.chat_support import anonymous, bearer
from tests.contract.http.test_foundation import ADMIN, assert_problem

Client = AsyncTestClient[Litestar]
LOGIN = "/v1/auth/login"
REGISTER = "/v1/auth/register"
CREDENTIALS = b'{"email": "ada@example.test", "password": "correct horse battery staple"}'


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",  # what an HTML form with enctype=text/plain sends
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
async def test_a_json_route_refuses_a_body_not_declared_json(
    client: Client, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for path in (LOGIN, REGISTER, "/v1/auth/otp/request"):
        response = await client.post(path, content=CREDENTIALS, headers=headers)
        assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/x+json",
    ],
)
async def test_a_json_route_takes_json_and_its_plus_json_kinds(
    client: Client, content_type: str
) -> None:
    response = await client.post(
        REGISTER, content=CREDENTIALS, headers={"Content-Type": content_type}
    )
    assert response.status_code == 202, response.text


async def test_an_optional_body_may_be_left_out_without_a_content_type(client: Client) -> None:
    token = await anonymous(client)
    created = await client.post("/v1/dialogs", headers=bearer(token))
    assert created.status_code == 201, created.text
    typed_wrong = await client.post(
        "/v1/dialogs",
        content=b'{"title": "t"}',
        headers={**bearer(token), "Content-Type": "text/plain"},
    )
    assert_problem(typed_wrong, 415, "unsupported_media_type")
    assert (await client.post("/v1/auth/logout", headers=bearer(token))).status_code == 204


def _nested(depth: int) -> bytes:
    return b'{"email": ' + b"[" * depth + b"]" * depth + b', "password": "x"}'


@pytest.mark.parametrize("depth", [1_000, 100_000])
async def test_deeply_nested_json_is_400_malformed_body_without_a_traceback(
    client: Client, caplog: pytest.LogCaptureFixture, depth: int
) -> None:
    json_type = {"Content-Type": "application/json"}
    caplog.set_level(logging.INFO)
    for path, headers in [
        (LOGIN, json_type),
        ("/v1/tenants", {**ADMIN, **json_type}),
        ("/v1/dialogs", {**bearer(await anonymous(client)), **json_type}),
    ]:
        response = await client.post(path, content=_nested(depth), headers=headers)
        assert_problem(response, 400, "malformed_body")
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "nested too deeply" in caplog.text  # logged, as the client's mistake
