"""Credential ports: password hashing, access tokens, and mail, with their types."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

import msgspec


class AccessClaims(msgspec.Struct, frozen=True, kw_only=True):
    """What an access token asserts: a session of a principal in a tenant, until a time."""

    session_id: uuid.UUID
    subject: uuid.UUID
    tenant_id: uuid.UUID
    issued_at: datetime
    expires_at: datetime


class PasswordHasher(Protocol):
    """Hashes and checks passwords; slow by design, so never on the event loop."""

    async def hash(self, password: str) -> str:
        """A self-describing hash of ``password`` (salt and parameters included)."""
        ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; False for a wrong password or a malformed hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        ...


class TokenIssuer(Protocol):
    """Signs and checks access tokens."""

    def issue(self, claims: AccessClaims) -> str:
        """A signed token carrying ``claims``."""
        ...

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token; raises NotAuthenticated for anything else."""
        ...


class MailMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One mail to one recipient, as plain text and HTML."""

    to: str
    subject: str
    text: str
    html: str


class Mailer(Protocol):
    """Sends mail."""

    async def send(self, message: MailMessage) -> None:
        """Deliver the message; raises Unavailable("mail") when it cannot."""
        ...
