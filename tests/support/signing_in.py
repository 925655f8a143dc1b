"""Signing in over HTTP as a user would: ask, read the mail, answer."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.smtp_server import CapturingSmtpServer, ReceivedMail

Client = httpx.AsyncClient  # the in-process test client, or one on a live server
PASSWORD = "correct horse battery staple"

_CODE = re.compile(r"^(\d{6})$", re.MULTILINE)
_LINK = re.compile(r"^(https?://\S+/v1/auth/confirm\?token=\S+)$", re.MULTILINE)


def code_in(mail: ReceivedMail) -> str:
    """The sign-in code a mail carries, alone on its line."""
    found = _CODE.search(mail.text)
    assert found, mail.text
    return found.group(1)


def link_in(mail: ReceivedMail) -> str:
    """The confirmation link a mail carries."""
    found = _LINK.search(mail.text)
    assert found, mail.text
    return found.group(1)


def token_in(mail: ReceivedMail) -> str:
    """The token of the confirmation link a mail carries."""
    return parse_qs(urlsplit(link_in(mail)).query)["token"][0]


def bearer(token: str) -> dict[str, str]:
    """The header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}


async def mailed_code(
    client: Client, smtp: CapturingSmtpServer, email: str, headers: dict[str, str] | None = None
) -> str:
    """Ask for a sign-in code and read it from the mail."""
    response = await client.post("/v1/auth/otp/request", json={"email": email}, headers=headers)
    assert response.status_code == 202, response.text
    return code_in(await smtp.mail_to(email))


async def sign_in_by_code(
    client: Client, smtp: CapturingSmtpServer, email: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """The credential of a sign-in by mailed code."""
    code = await mailed_code(client, smtp, email, headers)
    response = await client.post(
        "/v1/auth/otp/verify", json={"email": email, "code": code}, headers=headers
    )
    assert response.status_code == 200, response.text
    credential: dict[str, Any] = response.json()
    return credential


async def sign_up(
    client: Client, smtp: CapturingSmtpServer, email: str, password: str = PASSWORD
) -> str:
    """Register and return the token of the mailed confirmation link."""
    response = await client.post("/v1/auth/register", json={"email": email, "password": password})
    assert response.status_code == 202, response.text
    return token_in(await smtp.mail_to(email))


async def confirmed_account(
    client: Client, smtp: CapturingSmtpServer, email: str, password: str = PASSWORD
) -> None:
    """Register and confirm an account."""
    token = await sign_up(client, smtp, email, password)
    response = await client.get("/v1/auth/confirm", params={"token": token})
    assert response.status_code == 200, response.text
