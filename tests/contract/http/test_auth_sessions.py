"""Credentials over HTTP: cookie or bearer, logout, deletion, anonymous sessions, tenants."""

from __future__ import annotations

import uuid
from typing import Any

import jwt
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import dialogs, sessions, users
from tests.contract.http.test_foundation import ADMIN, assert_problem
from tests.support.signing_in import (
    PASSWORD,
    Client,
    bearer,
    confirmed_account,
    sign_in_by_code,
)
from tests.support.smtp_server import CapturingSmtpServer

EMAIL = "lin@example.test"
ME = "/v1/auth/me"
COOKIE = "chatcore_session"


async def _count(engine: AsyncEngine, table: sa.Table, **where: Any) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


def _session_id(token: str) -> str:
    sid: str = jwt.decode(token, options={"verify_signature": False})["sid"]
    return sid


async def test_the_cookie_alone_authenticates(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    credential = await sign_in_by_code(mail_client, smtp, EMAIL)
    assert mail_client.cookies[COOKIE] == credential["access_token"]
    me = await mail_client.get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == EMAIL


async def test_the_bearer_token_alone_authenticates(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    credential = await sign_in_by_code(mail_client, smtp, EMAIL)
    mail_client.cookies.clear()
    me = await mail_client.get(ME, headers=bearer(credential["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == EMAIL


async def test_no_credential_is_401_not_authenticated(mail_client: Client) -> None:
    for method, path in [("GET", ME), ("DELETE", ME), ("POST", "/v1/auth/logout")]:
        response = await mail_client.request(method, path)
        assert_problem(response, 401, "not_authenticated")
    garbage = await mail_client.get(ME, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(garbage, 401, "not_authenticated")
    basic = await mail_client.get(ME, headers={"Authorization": "Basic YTpi"})
    assert_problem(basic, 401, "not_authenticated")


async def test_logout_revokes_the_token_and_clears_the_cookie(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = (await sign_in_by_code(mail_client, smtp, EMAIL))["access_token"]
    response = await mail_client.post("/v1/auth/logout")
    assert response.status_code == 204
    cleared = response.headers["set-cookie"].lower()
    assert cleared.startswith(f'{COOKIE}="";') or cleared.startswith(f"{COOKIE}=;")
    assert "max-age=0" in cleared and "path=/" in cleared
    assert COOKIE not in mail_client.cookies

    assert_problem(await mail_client.get(ME, headers=bearer(token)), 401, "not_authenticated")
    mail_client.cookies.set(COOKIE, token)
    assert_problem(await mail_client.get(ME), 401, "not_authenticated")


async def test_deleting_the_account_revokes_it_and_removes_its_dialogs(
    mail_client: Client, smtp: CapturingSmtpServer, sqlite_engine: AsyncEngine
) -> None:
    credential = await sign_in_by_code(mail_client, smtp, EMAIL)
    user_id = uuid.UUID(credential["user"]["id"])
    headers = bearer(credential["access_token"])
    mail_client.cookies.clear()
    created = await mail_client.post("/v1/dialogs", json={"title": "Mine"}, headers=headers)
    assert created.status_code == 201
    assert await _count(sqlite_engine, dialogs, owner_id=user_id) == 1

    deleted = await mail_client.delete(ME, headers=headers)
    assert deleted.status_code == 204
    assert_problem(await mail_client.get(ME, headers=headers), 401, "not_authenticated")
    assert await _count(sqlite_engine, dialogs, owner_id=user_id) == 0
    assert await _count(sqlite_engine, users, id=user_id) == 0
    assert await _count(sqlite_engine, sessions, principal_id=user_id) == 0


async def test_an_anonymous_session_can_chat_and_be_deleted(
    mail_client: Client, sqlite_engine: AsyncEngine
) -> None:
    created = await mail_client.post("/v1/sessions")
    assert created.status_code == 201
    body = created.json()
    assert {"session_id", "access_token", "created_at"} <= body.keys()
    mail_client.cookies.clear()
    headers = bearer(body["access_token"])

    dialog = await mail_client.post("/v1/dialogs", json={"title": "Anon"}, headers=headers)
    assert dialog.status_code == 201
    listed = (await mail_client.get("/v1/dialogs", headers=headers)).json()
    assert [d["title"] for d in listed["items"]] == ["Anon"]
    owner = uuid.UUID(body["session_id"])
    assert await _count(sqlite_engine, dialogs, owner_id=owner) == 1
    me = (await mail_client.get(ME, headers=headers)).json()
    assert me["id"] == body["session_id"] and me["email"] is None

    deleted = await mail_client.delete(f"/v1/sessions/{body['session_id']}", headers=headers)
    assert deleted.status_code == 204
    assert_problem(await mail_client.get(ME, headers=headers), 401, "not_authenticated")
    assert await _count(sqlite_engine, dialogs, owner_id=owner) == 0


async def test_another_principals_session_is_not_found(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    mine = (await mail_client.post("/v1/sessions")).json()
    theirs = (await mail_client.post("/v1/sessions")).json()
    mail_client.cookies.clear()  # or signing in would retire ``theirs``
    user = await sign_in_by_code(mail_client, smtp, EMAIL)
    mail_client.cookies.clear()
    for token in (mine["access_token"], user["access_token"]):
        response = await mail_client.delete(
            f"/v1/sessions/{theirs['session_id']}", headers=bearer(token)
        )
        assert_problem(response, 404, "not_found")
    still = await mail_client.get(ME, headers=bearer(theirs["access_token"]))
    assert still.status_code == 200
    unknown = await mail_client.delete(
        f"/v1/sessions/{uuid.uuid4()}", headers=bearer(mine["access_token"])
    )
    assert_problem(unknown, 404, "not_found")


async def test_a_user_can_end_another_of_their_sessions(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    await confirmed_account(mail_client, smtp, EMAIL)
    login = {"email": EMAIL, "password": PASSWORD}
    laptop = (await mail_client.post("/v1/auth/login", json=login)).json()["access_token"]
    mail_client.cookies.clear()
    phone = (await mail_client.post("/v1/auth/login", json=login)).json()["access_token"]
    mail_client.cookies.clear()

    ended = await mail_client.delete(f"/v1/sessions/{_session_id(phone)}", headers=bearer(laptop))
    assert ended.status_code == 204
    assert "set-cookie" not in ended.headers  # the caller's own cookie stays
    assert_problem(await mail_client.get(ME, headers=bearer(phone)), 401, "not_authenticated")
    assert (await mail_client.get(ME, headers=bearer(laptop))).status_code == 200


async def test_signing_in_from_an_anonymous_session_replaces_it(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    anonymous = (await mail_client.post("/v1/sessions")).json()
    assert mail_client.cookies[COOKIE] == anonymous["access_token"]
    user = await sign_in_by_code(mail_client, smtp, EMAIL)
    assert _session_id(user["access_token"]) != anonymous["session_id"]
    assert mail_client.cookies[COOKIE] == user["access_token"]
    gone = await mail_client.get(ME, headers=bearer(anonymous["access_token"]))
    assert_problem(gone, 401, "not_authenticated")


async def test_a_tenant_without_anonymous_sessions_refuses_them(mail_client: Client) -> None:
    await mail_client.post(
        "/v1/tenants",
        json={"slug": "members", "name": "Members", "settings": {"auth_methods": ["otp"]}},
        headers=ADMIN,
    )
    response = await mail_client.post("/v1/sessions", headers={"X-Tenant-ID": "members"})
    assert_problem(response, 403, "auth_method_disabled")
    assert "set-cookie" not in response.headers


async def test_a_credential_is_refused_in_another_tenant(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    tenant_b = await mail_client.post("/v1/tenants", json={"slug": "b", "name": "B"}, headers=ADMIN)
    credential = await sign_in_by_code(mail_client, smtp, EMAIL)
    mail_client.cookies.clear()
    for reference in ("b", tenant_b.json()["id"]):
        response = await mail_client.get(
            ME, headers={**bearer(credential["access_token"]), "X-Tenant-ID": reference}
        )
        assert_problem(response, 403, "tenant_mismatch")
    mail_client.cookies.set(COOKIE, credential["access_token"])
    by_cookie = await mail_client.get("/v1/dialogs", headers={"X-Tenant-ID": "b"})
    assert_problem(by_cookie, 403, "tenant_mismatch")
    at_home = await mail_client.get(ME, headers={"X-Tenant-ID": "default"})
    assert at_home.status_code == 200


async def test_openapi_marks_the_protected_routes(mail_client: Client) -> None:
    paths = (await mail_client.get("/schema/openapi.json")).json()["paths"]
    for path, method in [
        ("/v1/auth/me", "get"),
        ("/v1/auth/me", "delete"),
        ("/v1/auth/logout", "post"),
        ("/v1/sessions/{session_id}", "delete"),
    ]:
        assert paths[path][method]["security"] == [{"bearer": []}], (path, method)
    for path in ("/v1/auth/login", "/v1/auth/otp/request", "/v1/auth/register"):
        assert not paths[path]["post"].get("security"), path
