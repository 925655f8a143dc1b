"""Bodies of the authentication routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import msgspec

from chatcore.identity.model import Credential, User
from chatcore.identity.principal import Principal
from http_shell.constraints import Email, NewPassword
from http_shell.schemas import Body


class EmailBody(Body):
    """``POST /v1/auth/otp/request``."""

    email: Email


class OtpVerifyBody(Body):
    """``POST /v1/auth/otp/verify``."""

    email: Email
    code: str


class RegisterBody(Body):
    """``POST /v1/auth/register``."""

    email: Email
    password: NewPassword


class LoginBody(Body):
    """``POST /v1/auth/login``: any password may be tried (and is refused as wrong)."""

    email: Email
    password: str


class Accepted(msgspec.Struct):
    """A 202: the request was taken; what happens next arrives by mail."""

    status: Literal["accepted"]
    detail: str


class UserOut(msgspec.Struct):
    """``GET /v1/auth/me``; an anonymous caller has no email."""

    id: uuid.UUID
    email: str | None
    display_name: str | None
    avatar_url: str | None
    created_at: datetime | None

    @classmethod
    def of(cls, user: User, avatar_url: str | None = None) -> UserOut:
        return cls(user.id, user.email, user.display_name, avatar_url, user.created_at)


class CredentialOut(msgspec.Struct):
    """A successful sign-in."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int
    user: UserOut | None

    @classmethod
    def of(cls, credential: Credential) -> CredentialOut:
        user = UserOut.of(credential.user) if credential.user else None
        return cls(credential.access_token, "bearer", credential.expires_in, user)


class AnonymousSessionOut(msgspec.Struct):
    """``POST /v1/sessions``."""

    session_id: uuid.UUID
    access_token: str
    created_at: datetime
    expires_in: int

    @classmethod
    def of(cls, credential: Credential) -> AnonymousSessionOut:
        session = credential.session
        return cls(session.id, credential.access_token, session.created_at, credential.expires_in)


class ConfirmedOut(msgspec.Struct):
    """``GET /v1/auth/confirm``."""

    status: Literal["confirmed"]
    email: str


def anonymous_me(principal: Principal) -> UserOut:
    """What ``/me`` says of an anonymous session: its id, and nothing else."""
    return UserOut(principal.id, None, None, None, None)
