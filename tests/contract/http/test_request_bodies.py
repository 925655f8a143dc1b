"""What a JSON route accepts as a body: declared JSON only, of a sane depth, and when it
does not validate, every invalid field named at once."""

from __future__ import annotations

import logging
from typing import Any, get_args

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from http_shell import (
    schemas,
    schemas_api_keys,
    schemas_auth,
    schemas_dialogs,
    schemas_documents,
    schemas_profile,
)
from http_shell.body_errors import body_errors
from http_shell.schemas import Body
from tests.contract.http.chat_support import anonymous, bearer
from tests.contract.http.test_foundation import ADMIN, assert_problem

Client = AsyncTestClient[Litestar]
LOGIN = "/v1/auth/login"
REGISTER = "/v1/auth/register"
SCHEMAS = [
    schemas,
    schemas_api_keys,
    schemas_auth,
    schemas_dialogs,
    schemas_documents,
    schemas_profile,
]
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


def _fields(response: Any) -> list[str]:
    problem = assert_problem(response, 422, "validation_failed")
    assert all(error["message"] for error in problem["errors"]), problem
    return [error["field"] for error in problem["errors"]]


async def test_a_422_names_every_missing_field(client: Client) -> None:
    assert _fields(await client.post(REGISTER, json={})) == ["email", "password"]
    assert _fields(await client.post("/v1/auth/otp/verify", json={})) == ["email", "code"]


async def test_a_422_names_every_invalid_missing_and_unknown_field(client: Client) -> None:
    body = {"slug": 7, "surprise": 1, "settings": {"model": 1, "auth_methods": ["otp", "smoke"]}}
    response = await client.post("/v1/tenants", json=body, headers=ADMIN)
    assert _fields(response) == [
        "slug",
        "name",
        "settings.model",
        "settings.auth_methods[1]",
        "surprise",
    ]
    token = await anonymous(client)
    chat = {"message": 5, "dialog_id": "not-a-uuid", "use_documents": "maybe"}
    response = await client.post("/v1/chat", json=chat, headers=bearer(token))
    assert _fields(response) == ["message", "dialog_id", "use_documents"]


async def test_a_body_that_is_not_an_object_is_one_error(client: Client) -> None:
    assert _fields(await client.post(REGISTER, json=["ada@example.test"])) == ["body"]
    token = await anonymous(client)
    response = await client.patch("/v1/profile", json="settings", headers=bearer(token))
    assert _fields(response) == ["body"]


def _free_form(field_type: Any) -> bool:
    return field_type is Any or get_args(field_type)[:1] == (Any,)  # Annotated[Any, ...]


def _request_bodies() -> list[type[Body]]:
    found, pending = [], [Body]
    while pending:
        found += (subclasses := pending.pop().__subclasses__())
        pending += subclasses
    return sorted(found, key=lambda body: body.__name__)


def test_every_request_body_is_among_those_checked() -> None:
    modules = {body.__module__ for body in _request_bodies()}
    assert modules == {schemas.__name__ for schemas in SCHEMAS}


@pytest.mark.parametrize("body_type", _request_bodies(), ids=lambda body: body.__name__)
def test_every_field_of_every_request_body_is_reported(body_type: type[Body]) -> None:
    fields = msgspec.structs.fields(body_type)
    required = [field.encode_name for field in fields if field.required]
    missing = body_errors({"surprise": 1}, body_type)
    assert [error["field"] for error in missing] == [*required, "surprise"]
    # A list of lists is wrong for every field but a free-form one.
    typed = [field.encode_name for field in fields if not _free_form(field.type)]
    wrong = body_errors({name: [[]] for name in typed}, body_type)
    assert [error["field"].split("[")[0] for error in wrong] == typed


async def test_a_body_is_read_as_strictly_as_its_schema_says(client: Client) -> None:
    session = await client.post("/v1/sessions")
    token = session.json()["access_token"]
    answer = await client.post(
        "/v1/search", json={"query": "puffins", "k": "5"}, headers=bearer(token)
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {"field": "k", "message": "has the wrong type: expected int, got str"}
    ]


async def test_a_whole_number_written_with_a_fraction_is_still_an_integer(client: Client) -> None:
    session = await client.post("/v1/sessions")
    token = session.json()["access_token"]
    answer = await client.post(
        "/v1/search", json={"query": "puffins", "k": 3.0}, headers=bearer(token)
    )
    assert answer.status_code == 200, answer.text
    refused = await client.post(
        "/v1/search", json={"query": "puffins", "k": 3.5}, headers=bearer(token)
    )
    assert refused.status_code == 422, refused.text
