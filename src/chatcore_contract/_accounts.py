"""Principals for the checks: an anonymous session or a user signed in by a mailed
code; each is deleted again, because the checks may run against production."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from chatcore_contract._mailbox import Mailbox, sign_in_code
from chatcore_contract._support import (
    bearer,
    could_not_run,
    expect,
    expect_status,
    unless_disabled,
)

Kind = Literal["anonymous", "user"]


@dataclass(frozen=True)
class Deployment:
    """The server under check and what the checks may use of it."""

    base_url: str
    origin: str | None
    admin_token: str | None
    mailbox: Mailbox | None
    tenant: str | None
    email_domain: str

    @property
    def ws_url(self) -> str:
        """The base URL with the WebSocket scheme."""
        return "ws" + self.base_url.removeprefix("http")

    def new_email(self) -> str:
        """An address no earlier run has used."""
        return f"contract-{secrets.token_hex(6)}@{self.email_domain}"

    def needs_mailbox(self) -> Mailbox:
        """The mailbox, or the check could not run."""
        if self.mailbox is None:
            could_not_run("no --mailbox given to read the mailed codes and links from")
        return self.mailbox


@dataclass(frozen=True)
class Principal:
    """Who a check acts as."""

    kind: Kind
    token: str
    session_id: str | None = None
    email: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """Headers authenticating as this principal."""
        return bearer(self.token)


class Accounts:
    """Signs principals in for the checks and deletes them afterwards."""

    def __init__(self, api: httpx.Client, deployment: Deployment) -> None:
        self.api, self._deployment = api, deployment

    def start_anonymous(self) -> httpx.Response:
        """The answer to ``POST /v1/sessions``; could not run where the tenant refuses."""
        return unless_disabled(self.api.post("/v1/sessions"), "anonymous sessions")

    def anonymous(self) -> Principal:
        """A new anonymous session; could not run where the tenant refuses them."""
        return anonymous_of(self.start_anonymous())

    def user(self) -> Principal:
        """A new user, signed in with the code mailed to a fresh address."""
        mailbox = self._deployment.needs_mailbox()
        email = self._deployment.new_email()
        requested = self.api.post("/v1/auth/otp/request", json={"email": email})
        expect_status(unless_disabled(requested, "sign-in by code"), 202)
        code = sign_in_code(mailbox.take(email))
        verified = self.api.post("/v1/auth/otp/verify", json={"email": email, "code": code})
        return Principal("user", expect(verified, 200)["access_token"], email=email)

    def any(self) -> Principal:
        """An anonymous session where the tenant allows one, else a user."""
        response = self.api.post("/v1/sessions")
        if self._deployment.mailbox is None:
            what = "anonymous sessions, and no --mailbox was given to sign a user in"
            return anonymous_of(unless_disabled(response, what))
        if response.status_code == 403:  # no anonymous sessions here: sign a user in
            return self.user()
        return anonymous_of(response)

    def delete(self, principal: Principal) -> None:
        """Delete the principal and everything it owns (a check may have done so already)."""
        if principal.kind == "anonymous":
            path = f"/v1/sessions/{principal.session_id}"
        else:
            path = "/v1/auth/me"
        response = self.api.delete(path, headers=principal.headers)
        assert response.status_code in (204, 401), (
            f"could not delete the check's {principal.kind}: "
            f"{response.status_code} {response.text[:200]}"
        )

    @contextmanager
    def signed_in(self, kind: Kind | Literal["any"]) -> Iterator[Principal]:
        """A principal of that kind for the length of the block."""
        principal = {"anonymous": self.anonymous, "user": self.user, "any": self.any}[kind]()
        try:
            yield principal
        finally:
            self.delete(principal)


def anonymous_of(response: httpx.Response) -> Principal:
    """The anonymous session a ``POST /v1/sessions`` created."""
    body = expect(response, 201)
    return Principal("anonymous", body["access_token"], session_id=body["session_id"])


def mailbox_at(path: str | None, timeout: float) -> Mailbox | None:
    """The mailbox for a ``--mailbox`` option, if one was given."""
    return Mailbox(Path(path), timeout) if path else None
