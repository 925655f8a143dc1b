"""Sign-in flows that need the mail: a code, and a password after a confirmation link.
Each runs only with ``--mailbox``; every account it makes is deleted at its end."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from chatcore_contract._accounts import Deployment, Principal
from chatcore_contract._mailbox import Mailbox, confirmation_path, sign_in_code
from chatcore_contract._support import (
    bearer,
    expect,
    expect_fields,
    expect_problem,
    expect_status,
    session_cookie,
    unless_disabled,
)

CREDENTIAL_FIELDS = {"access_token", "token_type", "expires_in", "user"}
ME_FIELDS = {"id", "email", "display_name", "avatar_url", "created_at"}
PASSWORD = "contract check: a long and unusual passphrase"


@pytest.fixture
def mailbox(deployment: Deployment) -> Mailbox:
    """The Maildir the deployment delivers into."""
    return deployment.needs_mailbox()


@pytest.fixture
def registered(api: httpx.Client, deployment: Deployment, mailbox: Mailbox) -> Iterator[str]:
    """The address of a new account with a password, its confirmation mail still unread;
    the account is deleted afterwards."""
    email = deployment.new_email()
    registering = api.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
    expect_status(unless_disabled(registering, "sign-in by password"), 202)
    yield email
    response = api.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    if response.status_code == 403:  # never confirmed: confirm it, to be able to delete it
        confirm(api, mailbox, email)
        response = api.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    token = expect(response, 200)["access_token"]
    expect_status(api.delete("/v1/auth/me", headers=bearer(token)), 204)


def confirm(api: httpx.Client, mailbox: Mailbox, email: str) -> None:
    """Open the confirmation link mailed to ``email``: 200, or 303 where the deployment
    redirects to its frontend."""
    response = api.get(confirmation_path(mailbox.take(email)))
    assert response.status_code in (200, 303), f"{response.status_code} {response.text[:200]}"


def expect_credential(response: httpx.Response, email: str) -> str:
    """The access token of a successful sign-in as ``email``, which also set the cookie."""
    credential = expect(response, 200)
    expect_fields(credential, CREDENTIAL_FIELDS, "the credential")
    assert credential["token_type"] == "bearer", credential
    assert credential["user"]["email"] == email, credential
    assert "httponly" in session_cookie(response).lower()
    token: str = credential["access_token"]
    return token


def test_a_mailed_code_signs_in_once(
    api: httpx.Client, deployment: Deployment, mailbox: Mailbox
) -> None:
    """OTP: the mailed code signs in once; wrong 400 otp_invalid; resend 429 rate_limited."""
    email = deployment.new_email()
    requested = api.post("/v1/auth/otp/request", json={"email": email})
    expect_status(unless_disabled(requested, "sign-in by code"), 202)
    code = sign_in_code(mailbox.take(email))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    expect_problem(
        api.post("/v1/auth/otp/verify", json={"email": email, "code": wrong}), 400, "otp_invalid"
    )
    again = api.post("/v1/auth/otp/request", json={"email": email})
    expect_problem(again, 429, "rate_limited")
    assert again.headers.get("retry-after"), dict(again.headers)
    token = expect_credential(
        api.post("/v1/auth/otp/verify", json={"email": email, "code": code}), email
    )
    try:
        me = expect(api.get("/v1/auth/me", headers=bearer(token)), 200)
        expect_fields(me, ME_FIELDS, "/v1/auth/me")
        assert me["email"] == email, me
        used = api.post("/v1/auth/otp/verify", json={"email": email, "code": code})
        expect_problem(used, 400, "otp_invalid")
    finally:
        expect_status(api.delete("/v1/auth/me", headers=bearer(token)), 204)
    expect_problem(api.get("/v1/auth/me", headers=bearer(token)), 401, "not_authenticated")


def test_a_password_account_signs_in_after_confirming(
    api: httpx.Client, mailbox: Mailbox, registered: str
) -> None:
    """Register (202) → 403 email_not_confirmed → the mailed link confirms → login 200."""
    login = {"email": registered, "password": PASSWORD}
    expect_problem(api.post("/v1/auth/login", json=login), 403, "email_not_confirmed")
    confirm(api, mailbox, registered)
    expect_credential(api.post("/v1/auth/login", json=login), registered)


def test_a_wrong_password_is_401_invalid_credentials(
    api: httpx.Client, mailbox: Mailbox, registered: str
) -> None:
    """Login with a wrong password is 401 invalid_credentials."""
    confirm(api, mailbox, registered)
    wrong = {"email": registered, "password": PASSWORD + " but wrong"}
    expect_problem(api.post("/v1/auth/login", json=wrong), 401, "invalid_credentials")


def test_logout_revokes_that_session_only(
    api: httpx.Client, mailbox: Mailbox, registered: str
) -> None:
    """POST /v1/auth/logout is 204; its token is refused at once, another session lives."""
    confirm(api, mailbox, registered)
    login = {"email": registered, "password": PASSWORD}
    first = expect_credential(api.post("/v1/auth/login", json=login), registered)
    second = expect_credential(api.post("/v1/auth/login", json=login), registered)
    expect_status(api.post("/v1/auth/logout", headers=bearer(first)), 204)
    expect_problem(api.get("/v1/auth/me", headers=bearer(first)), 401, "not_authenticated")
    expect(api.get("/v1/auth/me", headers=bearer(second)), 200)


def test_a_user_reads_who_is_signed_in(api: httpx.Client, user: Principal) -> None:
    """GET /v1/auth/me is {id, email, display_name, avatar_url, created_at}."""
    me = expect(api.get("/v1/auth/me", headers=user.headers), 200)
    expect_fields(me, ME_FIELDS, "/v1/auth/me")
    assert me["email"] == user.email, me
