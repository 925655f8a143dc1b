"""Attacks on the credentials over HTTP: cross-site requests, forged tokens, oversized
bodies, and bursts of sign-ins."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.security.argon2 import Argon2PasswordHasher
from adapters.sql.tables import sessions
from tests.contract.http.conftest import ClientFactory, ServerFactory
from tests.contract.http.test_foundation import ORIGIN, assert_problem
from tests.support.app import SECRET_KEY
from tests.support.signing_in import (
    PASSWORD,
    Client,
    bearer,
    confirmed_account,
    mailed_code,
    sign_in_by_code,
)
from tests.support.smtp_server import CapturingSmtpServer

EMAIL = "mallory-target@example.test"
EVIL = "https://evil.test"
ME = "/v1/auth/me"


async def _unsafe_calls(client: Client, headers: dict[str, str]) -> list[Any]:
    """A POST, a PATCH and a DELETE on the caller's data, with these headers."""
    created = await client.post("/v1/dialogs", json={"title": "t"}, headers=headers)
    dialog = (await client.post("/v1/dialogs", json={"title": "u"})).json()["id"]
    patched = await client.patch(f"/v1/dialogs/{dialog}", json={"title": "v"}, headers=headers)
    deleted = await client.delete(f"/v1/dialogs/{dialog}", headers=headers)
    return [created, patched, deleted]


async def test_cookie_changes_from_a_foreign_origin_are_csrf_rejected(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    async with make_mail_client(allow_origins=ORIGIN) as client:
        await sign_in_by_code(client, smtp, EMAIL)
        for origin in (EVIL, "null", "http://testserver.local.evil.test"):
            for response in await _unsafe_calls(client, {"Origin": origin}):
                assert_problem(response, 403, "csrf_rejected")
        for method, path in [("POST", "/v1/auth/logout"), ("DELETE", ME)]:
            response = await client.request(method, path, headers={"Origin": EVIL})
            assert_problem(response, 403, "csrf_rejected")
        cross_site = {"Sec-Fetch-Site": "cross-site"}  # an old browser without Origin
        assert_problem(
            await client.post("/v1/dialogs", json={}, headers=cross_site), 403, "csrf_rejected"
        )
        # Reading is not a change, and the session survived the attempts.
        assert (await client.get(ME, headers={"Origin": EVIL})).status_code == 200


@pytest.mark.parametrize(
    "origin", [ORIGIN, "http://testserver.local", "http://localhost:8000", None]
)
async def test_cookie_changes_from_a_listed_or_own_origin_pass(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    async with make_mail_client(allow_origins=ORIGIN) as client:
        await sign_in_by_code(client, smtp, EMAIL)
        statuses = [r.status_code for r in await _unsafe_calls(client, headers)]
        assert statuses == [201, 200, 204]
        assert (await client.post("/v1/auth/logout", headers=headers)).status_code == 204


async def test_bearer_requests_ignore_the_origin(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = (await sign_in_by_code(mail_client, smtp, EMAIL))["access_token"]
    mail_client.cookies.clear()
    headers = {**bearer(token), "Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
    created = await mail_client.post("/v1/dialogs", json={"title": "t"}, headers=headers)
    assert created.status_code == 201
    dialog = created.json()["id"]
    patched = await mail_client.patch(f"/v1/dialogs/{dialog}", json={"title": "v"}, headers=headers)
    assert patched.status_code == 200
    assert (await mail_client.delete(f"/v1/dialogs/{dialog}", headers=headers)).status_code == 204
    assert (await mail_client.post("/v1/auth/logout", headers=headers)).status_code == 204


async def _sign_ins(
    client: Client, smtp: CapturingSmtpServer, headers: dict[str, str]
) -> list[Any]:
    """Each route that sets the session cookie, called with these headers."""
    await confirmed_account(client, smtp, EMAIL)
    by_password = {"email": EMAIL, "password": PASSWORD}
    login = await client.post("/v1/auth/login", json=by_password, headers=headers)
    by_code = {"email": EMAIL, "code": await mailed_code(client, smtp, EMAIL)}
    verify = await client.post("/v1/auth/otp/verify", json=by_code, headers=headers)
    session = await client.post("/v1/sessions", headers=headers)
    return [login, verify, session]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},  # a sandboxed frame, or a redirect across sites
        {"Sec-Fetch-Site": "cross-site"},  # an old browser without Origin
    ],
)
async def test_a_sign_in_from_a_foreign_origin_is_csrf_rejected(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer, headers: dict[str, str]
) -> None:
    # Login CSRF: another site's page must not swap its visitor's cookie for the
    # attacker's session, whose chats and uploads the attacker would then read.
    async with make_mail_client(allow_origins=ORIGIN) as client:
        victim = (await client.post("/v1/sessions")).cookies["chatcore_session"]
        for response in await _sign_ins(client, smtp, headers):
            assert_problem(response, 403, "csrf_rejected")
            assert "set-cookie" not in response.headers
        assert client.cookies["chatcore_session"] == victim


@pytest.mark.parametrize(
    "origin", [ORIGIN, "http://testserver.local", "http://localhost:8000", None]
)
async def test_a_sign_in_from_a_listed_or_own_origin_or_none_sets_the_cookie(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    async with make_mail_client(allow_origins=ORIGIN) as client:
        for response in await _sign_ins(client, smtp, headers):
            assert response.status_code in (200, 201), response.text
            assert "chatcore_session=" in response.headers["set-cookie"]


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forgeries(token: str) -> dict[str, str]:
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    head, body, signature = token.split(".")
    now = int(time.time())
    other_user = {**claims, "sub": "00000000-0000-4000-8000-000000000000"}

    def signed(payload: dict[str, Any], **headers: Any) -> str:
        return jwt.encode(payload, SECRET_KEY, algorithm="HS256", headers={**header, **headers})

    return {
        "alg none": f"{_segment({'alg': 'none', 'typ': 'at+jwt'})}.{body}.",
        "alg none, no signature part": f"{_segment({'alg': 'none', 'typ': 'at+jwt'})}.{body}",
        "another secret": jwt.encode(
            claims, "another-secret-that-is-long-enough-012345", headers=header
        ),
        "HS512 with our secret": jwt.encode(
            claims, SECRET_KEY, algorithm="HS512", headers={"typ": header["typ"]}
        ),
        "tampered payload": f"{head}.{_segment(other_user)}.{signature}",
        "tampered signature": f"{head}.{body}.{signature[:-4]}AAAA",
        "expired": signed({**claims, "iat": now - 7200, "exp": now - 3600}),
        "no exp": signed({k: v for k, v in claims.items() if k != "exp"}),
        "wrong audience": signed({**claims, "aud": "someone-else"}),
        "wrong issuer": signed({**claims, "iss": "someone-else"}),
        "wrong type": signed(claims, typ="JWT"),
        "jku header": signed(claims, jku="https://evil.test/keys.json"),
        "embedded jwk": signed(claims, jwk={"kty": "oct", "k": "AAAA"}),
        "kid header": signed(claims, kid="../../dev/null"),
    }


async def test_forged_and_tampered_tokens_are_401(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = (await sign_in_by_code(mail_client, smtp, EMAIL))["access_token"]
    mail_client.cookies.clear()
    assert (await mail_client.get(ME, headers=bearer(token))).status_code == 200
    for name, forged in _forgeries(token).items():
        by_bearer = await mail_client.get(ME, headers=bearer(forged))
        assert by_bearer.status_code == 401, name
        assert_problem(by_bearer, 401, "not_authenticated")
        mail_client.cookies.set("chatcore_session", forged)
        assert (await mail_client.get(ME)).status_code == 401, name
        mail_client.cookies.clear()


async def test_a_valid_token_whose_session_row_is_gone_is_401(
    mail_client: Client, smtp: CapturingSmtpServer, sqlite_engine: AsyncEngine
) -> None:
    token = (await sign_in_by_code(mail_client, smtp, EMAIL))["access_token"]
    assert (await mail_client.get(ME)).status_code == 200
    async with sqlite_engine.begin() as connection:  # the app's database
        await connection.execute(sa.delete(sessions))
    assert_problem(await mail_client.get(ME), 401, "not_authenticated")
    assert_problem(await mail_client.get(ME, headers=bearer(token)), 401, "not_authenticated")


@pytest.mark.parametrize(
    "path", ["/v1/auth/otp/request", "/v1/auth/otp/verify", "/v1/auth/register", "/v1/auth/login"]
)
async def test_an_auth_body_over_one_mebibyte_is_413(
    mail_client: Client, smtp: CapturingSmtpServer, path: str
) -> None:
    padding = "x" * (1024 * 1024)
    body = {"email": EMAIL, "code": "123456", "password": padding}
    response = await mail_client.post(path, json=body)
    assert_problem(response, 413, "payload_too_large")
    assert smtp.mails == []


async def test_an_auth_body_just_under_one_mebibyte_is_read(mail_client: Client) -> None:
    body = json.dumps({"email": EMAIL, "password": "x" * 1000}).encode()
    body += b" " * (1024 * 1024 - len(body))
    response = await mail_client.post(
        "/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 401, "invalid_credentials")


async def test_error_responses_carry_cors_headers_for_a_listed_origin(
    make_client: ClientFactory,
) -> None:
    async with make_client(allow_origins=ORIGIN) as client:
        for response in (
            await client.get(ME, headers={"Origin": ORIGIN}),
            await client.post(
                "/v1/auth/login",
                json={"email": EMAIL, "password": "wrong password"},
                headers={"Origin": ORIGIN},
            ),
        ):
            assert response.status_code == 401
            assert response.headers["access-control-allow-origin"] == ORIGIN
            assert response.headers["access-control-allow-credentials"] == "true"
        preflight = await client.options(
            "/v1/auth/login",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization",
            },
        )
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert preflight.headers["access-control-allow-credentials"] == "true"


LOGINS = 50


class WatchedHasher(Argon2PasswordHasher):
    """The real hasher, counting the verifications running at this instant."""

    def __init__(self) -> None:
        # Costly enough that a verification lasts a while (about 20 ms).
        super().__init__(time_cost=2, memory_cost=16 * 1024, parallelism=1)
        self.running = 0
        self._lock = threading.Lock()

    def _verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.running += 1
        try:
            return super()._verify(password_hash, password)
        finally:
            with self._lock:
                self.running -= 1


async def test_a_burst_of_logins_does_not_stall_the_server(
    make_mail_server: ServerFactory, smtp: CapturingSmtpServer
) -> None:
    # A live server, so requests really interleave. Were hashes computed on the event
    # loop, no response could ever be served while one is running.
    hasher = WatchedHasher()
    emails = [f"user{i}@example.test" for i in range(LOGINS)]
    async with make_mail_server(password_hasher=hasher) as live:
        for email in emails:
            await confirmed_account(live.client, smtp, email)
        logins = [
            asyncio.create_task(
                live.client.post("/v1/auth/login", json={"email": e, "password": PASSWORD})
            )
            for e in emails
        ]
        health_while_hashing = 0
        while not all(task.done() for task in logins):
            assert (await live.client.get("/health")).status_code == 200
            health_while_hashing += hasher.running > 0
        statuses = [(await task).status_code for task in logins]
    assert statuses == [200] * LOGINS
    assert health_while_hashing > 0
