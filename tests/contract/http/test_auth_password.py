"""Sign-up, confirmation by mailed link, and sign-in with a password, over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.contract.http.conftest import ClientFactory
from tests.contract.http.test_foundation import assert_problem
from tests.support.signing_in import (
    PASSWORD,
    Client,
    bearer,
    confirmed_account,
    link_in,
    sign_in_by_code,
    sign_up,
    token_in,
)
from tests.support.smtp_server import CapturingSmtpServer
from tests.unit.fakes import FakeClock

EMAIL = "grace@example.test"
LOGIN = "/v1/auth/login"


async def test_register_confirm_then_login(mail_client: Client, smtp: CapturingSmtpServer) -> None:
    registered = await mail_client.post(
        "/v1/auth/register", json={"email": EMAIL, "password": PASSWORD}
    )
    assert registered.status_code == 202
    mail = await smtp.mail_to(EMAIL)
    assert mail.subject == "Confirm your email for Default"
    assert link_in(mail).startswith("http://localhost:8000/v1/auth/confirm?token=")
    assert mail.html is not None and link_in(mail) in mail.html

    early = await mail_client.post(LOGIN, json={"email": EMAIL, "password": PASSWORD})
    assert_problem(early, 403, "email_not_confirmed")

    confirmed = await mail_client.get("/v1/auth/confirm", params={"token": token_in(mail)})
    assert confirmed.status_code == 200
    assert confirmed.json() == {"status": "confirmed", "email": EMAIL}
    reused = await mail_client.get("/v1/auth/confirm", params={"token": token_in(mail)})
    assert_problem(reused, 400, "token_invalid")

    login = await mail_client.post(LOGIN, json={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 200, login.text
    credential = login.json()
    assert credential.keys() == {"access_token", "token_type", "expires_in", "user"}
    assert credential["token_type"] == "bearer"
    assert credential["expires_in"] == 86400
    assert credential["user"]["email"] == EMAIL
    cookie = login.headers["set-cookie"]
    assert cookie.startswith(f"chatcore_session={credential['access_token']};")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert attributes == {"httponly", "path=/", "samesite=lax", "max-age=86400"}

    mail_client.cookies.clear()
    me = await mail_client.get("/v1/auth/me", headers=bearer(credential["access_token"]))
    assert me.json()["email"] == EMAIL


async def test_the_cookie_follows_the_settings(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    async with make_mail_client(
        secure_cookie="true", cookie_samesite="none", session_ttl_minutes="60"
    ) as client:
        await confirmed_account(client, smtp, EMAIL)
        login = await client.post(LOGIN, json={"email": EMAIL, "password": PASSWORD})
    assert login.json()["expires_in"] == 3600
    attributes = {part.strip().lower() for part in login.headers["set-cookie"].split(";")[1:]}
    assert attributes == {"httponly", "path=/", "samesite=none", "max-age=3600", "secure"}


async def test_confirmation_redirects_when_configured(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    target = "https://app.example.test/welcome"
    async with make_mail_client(confirm_redirect=target) as client:
        token = await sign_up(client, smtp, EMAIL)
        response = await client.get(
            "/v1/auth/confirm", params={"token": token}, follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == target
        login = await client.post(LOGIN, json={"email": EMAIL, "password": PASSWORD})
        assert login.status_code == 200


@pytest.mark.parametrize(
    "token", ["", "nonsense", "00000000000040008000000000000000.abc", "not-hex.abc"]
)
async def test_an_unknown_token_is_token_invalid(mail_client: Client, token: str) -> None:
    response = await mail_client.get("/v1/auth/confirm", params={"token": token})
    assert_problem(response, 400, "token_invalid")


async def test_a_confirmation_without_a_token_is_422(mail_client: Client) -> None:
    body = assert_problem(await mail_client.get("/v1/auth/confirm"), 422, "validation_failed")
    assert body["errors"] == [{"field": "token", "message": "is required"}]


async def test_an_expired_link_is_token_invalid(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with make_mail_client(clock=clock) as client:
        token = await sign_up(client, smtp, EMAIL)
        clock.advance(24 * 3600)
        response = await client.get("/v1/auth/confirm", params={"token": token})
    assert_problem(response, 400, "token_invalid")


async def test_a_wrong_password_and_an_unknown_email_answer_alike(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    await confirmed_account(mail_client, smtp, EMAIL)
    wrong = await mail_client.post(LOGIN, json={"email": EMAIL, "password": "not the password"})
    unknown = await mail_client.post(
        LOGIN, json={"email": "nobody@example.test", "password": "not the password"}
    )
    assert_problem(wrong, 401, "invalid_credentials")
    assert wrong.status_code == unknown.status_code
    assert wrong.content == unknown.content
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers


async def test_a_code_only_account_has_no_password_to_guess(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    await sign_in_by_code(mail_client, smtp, EMAIL)
    response = await mail_client.post(LOGIN, json={"email": EMAIL, "password": PASSWORD})
    assert_problem(response, 401, "invalid_credentials")


async def test_registering_an_existing_email_answers_like_a_new_one(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with make_mail_client(clock=clock) as client:
        await confirmed_account(client, smtp, EMAIL)
        clock.advance(60)  # past the gap between two sign-up mails to one address
        existing = await client.post(
            "/v1/auth/register", json={"email": EMAIL, "password": "another good passphrase"}
        )
        new = await client.post(
            "/v1/auth/register", json={"email": "new@example.test", "password": PASSWORD}
        )
        assert existing.status_code == new.status_code == 202
        assert existing.content == new.content
        assert "already has a confirmed account" in (await smtp.mail_to(EMAIL)).text
        # The owner's password is untouched.
        login = await client.post(LOGIN, json={"email": EMAIL, "password": PASSWORD})
        assert login.status_code == 200


async def test_signing_up_again_within_the_gap_is_rate_limited(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    await sign_up(mail_client, smtp, EMAIL)
    again = await mail_client.post("/v1/auth/register", json={"email": EMAIL, "password": PASSWORD})
    assert_problem(again, 429, "rate_limited")
    assert 0 < int(again.headers["retry-after"]) <= 60
    assert len(smtp.mails) == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "characters"),
        ("x" * 129, "characters"),
        ("password1", "common"),
        ("Password1", "common"),
    ],
)
async def test_a_weak_password_is_422(
    mail_client: Client, smtp: CapturingSmtpServer, password: str, reason: str
) -> None:
    response = await mail_client.post(
        "/v1/auth/register", json={"email": EMAIL, "password": password}
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["field"] == "password"
    assert reason in body["errors"][0]["message"]
    await asyncio.sleep(0.2)  # a mail sent in the background would have landed by now
    assert smtp.mails == []


@pytest.mark.parametrize(
    "body",
    [
        {"email": EMAIL},
        {"email": EMAIL, "password": PASSWORD, "admin": True},
        {"email": 7, "password": PASSWORD},
    ],
)
async def test_a_malformed_login_is_422(mail_client: Client, body: dict[str, object]) -> None:
    assert_problem(await mail_client.post(LOGIN, json=body), 422, "validation_failed")


async def test_repeated_failures_slow_the_account_down(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    clock = FakeClock(datetime.now(UTC))
    wrong = {"email": EMAIL, "password": "not the password"}
    async with make_mail_client(clock=clock) as client:
        await confirmed_account(client, smtp, EMAIL)
        for _ in range(5):
            assert_problem(await client.post(LOGIN, json=wrong), 401, "invalid_credentials")
        waits = []
        for _ in range(3):
            slowed = await client.post(LOGIN, json=wrong)
            assert_problem(slowed, 429, "rate_limited")
            waits.append(int(slowed.headers["retry-after"]))
            clock.advance(waits[-1])
            assert_problem(await client.post(LOGIN, json=wrong), 401, "invalid_credentials")
        assert waits == [1, 2, 4]
        # Once the wait is over, the owner still gets in.
        clock.advance(3600)
        right = await client.post(LOGIN, json={"email": EMAIL, "password": PASSWORD})
        assert right.status_code == 200
