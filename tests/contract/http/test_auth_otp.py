"""Sign-in by mailed code over HTTP, with the code read from a real SMTP delivery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.contract.http.conftest import ClientFactory, ServerFactory
from tests.contract.http.test_foundation import ADMIN, assert_problem
from tests.support.signing_in import (
    Client,
    bearer,
    code_in,
    confirmed_account,
    mailed_code,
    sign_in_by_code,
)
from tests.support.smtp_server import CapturingSmtpServer
from tests.unit.fakes import FakeClock

EMAIL = "ada@example.test"


async def test_a_mailed_code_signs_in_and_creates_the_account(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    response = await mail_client.post("/v1/auth/otp/request", json={"email": "Ada@Example.test"})
    assert response.status_code == 202

    mail = await smtp.mail_to(EMAIL)
    assert mail.envelope_to == (EMAIL,)
    assert "Default" in mail.subject and "sign-in code" in mail.subject
    code = code_in(mail)
    assert mail.html is not None and code in mail.html

    verified = await mail_client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
    assert verified.status_code == 200, verified.text
    credential = verified.json()
    assert credential["token_type"] == "bearer"
    assert credential["expires_in"] == 86400
    assert credential["user"]["email"] == EMAIL
    assert verified.cookies["chatcore_session"] == credential["access_token"]

    mail_client.cookies.clear()
    me = await mail_client.get("/v1/auth/me", headers=bearer(credential["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": credential["user"]["id"],
        "email": EMAIL,
        "display_name": None,
        "avatar_url": None,
        "created_at": credential["user"]["created_at"],
    }

    again = await mail_client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
    assert_problem(again, 400, "otp_invalid")


async def test_the_answer_is_the_same_for_known_and_unknown_emails(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    await confirmed_account(mail_client, smtp, "known@example.test")
    known = await mail_client.post("/v1/auth/otp/request", json={"email": "known@example.test"})
    unknown = await mail_client.post("/v1/auth/otp/request", json={"email": "new@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert known.headers["content-type"] == unknown.headers["content-type"]
    assert code_in(await smtp.mail_to("known@example.test"))
    assert code_in(await smtp.mail_to("new@example.test"))


async def test_a_repeat_request_within_the_gap_is_rate_limited_and_sends_nothing(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with make_mail_client(clock=clock) as client:
        first_code = await mailed_code(client, smtp, EMAIL)
        clock.advance(20)

        repeat = await client.post("/v1/auth/otp/request", json={"email": EMAIL})
        assert_problem(repeat, 429, "rate_limited")
        assert repeat.headers["retry-after"] == "40"
        assert len([m for m in smtp.mails if EMAIL in m.envelope_to]) == 1

        clock.advance(40)
        second_code = await mailed_code(client, smtp, EMAIL)
        assert len([m for m in smtp.mails if EMAIL in m.envelope_to]) == 2
        if first_code != second_code:  # a new request replaces the old code
            stale = await client.post(
                "/v1/auth/otp/verify", json={"email": EMAIL, "code": first_code}
            )
            assert_problem(stale, 400, "otp_invalid")
        fresh = await client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": second_code})
        assert fresh.status_code == 200


async def test_wrong_codes_are_refused_and_five_of_them_kill_the_code(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    code = await mailed_code(mail_client, smtp, EMAIL)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = await mail_client.post(
            "/v1/auth/otp/verify", json={"email": EMAIL, "code": wrong}
        )
        assert_problem(response, 400, "otp_invalid")
    right = await mail_client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
    assert_problem(right, 400, "otp_invalid")


async def test_a_code_nobody_asked_for_is_invalid(mail_client: Client) -> None:
    response = await mail_client.post(
        "/v1/auth/otp/verify", json={"email": "nobody@example.test", "code": "123456"}
    )
    assert_problem(response, 400, "otp_invalid")


async def test_an_expired_code_is_otp_expired(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with make_mail_client(clock=clock, otp_ttl_seconds="300") as client:
        code = await mailed_code(client, smtp, EMAIL)
        assert "5 minutes" in (await smtp.mail_to(EMAIL)).text
        clock.advance(300)
        response = await client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
    assert_problem(response, 400, "otp_expired")


@pytest.mark.parametrize(
    "email",
    [
        "ada@example.test\r\nBcc: eve@evil.test",
        "ada@example.test\nBcc: eve@evil.test",
        "ada@example.test\rX-Injected: 1",
        "ada@example.test, eve@evil.test",
        "Ada <ada@example.test>",
    ],
)
async def test_an_email_with_header_tricks_is_422_and_no_mail(
    mail_client: Client, smtp: CapturingSmtpServer, email: str
) -> None:
    response = await mail_client.post("/v1/auth/otp/request", json={"email": email})
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["field"] == "email"
    await asyncio.sleep(0.2)  # a mail sent in the background would have landed by now
    assert smtp.mails == []


async def test_a_code_belongs_to_its_tenant(mail_client: Client, smtp: CapturingSmtpServer) -> None:
    await mail_client.post("/v1/tenants", json={"slug": "other", "name": "Other"}, headers=ADMIN)
    code = await mailed_code(mail_client, smtp, EMAIL)
    elsewhere = await mail_client.post(
        "/v1/auth/otp/verify",
        json={"email": EMAIL, "code": code},
        headers={"X-Tenant-ID": "other"},
    )
    assert_problem(elsewhere, 400, "otp_invalid")
    at_home = await mail_client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
    assert at_home.status_code == 200


async def test_a_tenant_without_codes_refuses_them(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    await mail_client.post(
        "/v1/tenants",
        json={"slug": "pw", "name": "Pw", "settings": {"auth_methods": ["password"]}},
        headers=ADMIN,
    )
    response = await mail_client.post(
        "/v1/auth/otp/request", json={"email": EMAIL}, headers={"X-Tenant-ID": "pw"}
    )
    assert_problem(response, 403, "auth_method_disabled")
    assert smtp.mails == []


async def test_the_mail_names_the_tenant(mail_client: Client, smtp: CapturingSmtpServer) -> None:
    await mail_client.post("/v1/tenants", json={"slug": "acme", "name": "Acme"}, headers=ADMIN)
    credential = await sign_in_by_code(mail_client, smtp, EMAIL, {"X-Tenant-ID": "acme"})
    mail = await smtp.mail_to(EMAIL)
    assert "Acme" in mail.subject and "Acme" in mail.text
    assert credential["user"]["email"] == EMAIL


async def _parallel_verifies(client: Client, smtp: CapturingSmtpServer) -> list[int]:
    code = await mailed_code(client, smtp, EMAIL)
    responses = await asyncio.gather(
        *(
            client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
            for _ in range(20)
        )
    )
    for response in responses:
        if response.status_code != 200:
            assert_problem(response, 400, "otp_invalid")
    return [r.status_code for r in responses]


# A live server: the in-process client would run the requests one after another.
async def test_twenty_parallel_verifies_of_the_right_code_sign_in_once(
    make_mail_server: ServerFactory, smtp: CapturingSmtpServer
) -> None:
    async with make_mail_server() as live:
        statuses = await _parallel_verifies(live.client, smtp)
    assert statuses.count(200) == 1


async def test_twenty_parallel_verifies_sign_in_once_on_postgres(
    make_mail_server: ServerFactory,
    smtp: CapturingSmtpServer,
    postgres_engine: AsyncEngine,
) -> None:
    url = postgres_engine.url.render_as_string(hide_password=False)
    async with make_mail_server(database_url=url) as live:
        statuses = await _parallel_verifies(live.client, smtp)
    assert statuses.count(200) == 1
