"""A mail that is not handed over costs nothing: no resend window spent, no code or
link kept in its place; and a Maildir folder that exists but is empty takes mail."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from tests.contract.http.conftest import ClientFactory
from tests.contract.http.test_foundation import assert_problem
from tests.support.signing_in import PASSWORD, mailed_code, token_in
from tests.support.smtp_server import CapturingSmtpServer

EMAIL = "ada@example.com"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    request.getfixturevalue("postgres_engine")  # empties the tables after the test
    url: str = request.getfixturevalue("postgres_url")
    return url


async def test_a_code_mail_that_failed_does_not_spend_the_resend_window(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer, database_url: str
) -> None:
    async with make_mail_client(database_url=database_url) as client:
        with smtp.stopped():
            response = await client.post("/v1/auth/otp/request", json={"email": EMAIL})
            assert_problem(response, 503, "unavailable")
        code = await mailed_code(client, smtp, EMAIL)
        response = await client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
        assert response.status_code == 200, response.text


async def test_a_code_mail_that_failed_leaves_the_earlier_code_working(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    async with make_mail_client(otp_resend_seconds="0") as client:
        code = await mailed_code(client, smtp, EMAIL)
        with smtp.stopped():
            response = await client.post("/v1/auth/otp/request", json={"email": EMAIL})
            assert_problem(response, 503, "unavailable")
        response = await client.post("/v1/auth/otp/verify", json={"email": EMAIL, "code": code})
        assert response.status_code == 200, response.text


async def test_a_sign_up_mail_that_failed_does_not_spend_the_resend_window(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer, database_url: str
) -> None:
    body = {"email": EMAIL, "password": PASSWORD}
    async with make_mail_client(database_url=database_url) as client:
        with smtp.stopped():
            assert_problem(await client.post("/v1/auth/register", json=body), 503, "unavailable")
        assert (await client.post("/v1/auth/register", json=body)).status_code == 202
        token = token_in(await smtp.mail_to(EMAIL))
        assert (await client.get("/v1/auth/confirm", params={"token": token})).status_code == 200
        assert (await client.post("/v1/auth/login", json=body)).status_code == 200


async def test_an_existing_empty_mail_dir_takes_mail(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    async with make_client(mail_dir=str(folder)) as client:
        response = await client.post("/v1/auth/otp/request", json={"email": EMAIL})
        assert response.status_code == 202, response.text
    [stored] = mailbox.Maildir(folder, create=False)
    assert stored["To"] == EMAIL
