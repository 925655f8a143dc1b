"""What identity needs from the outside world: storage, password hashing, access
tokens and mail. Every repository method takes the tenant first, from a verified
credential or the request's tenant, and never sees another tenant's rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

import msgspec

from chatcore.identity.api_keys import ApiKey, ApiKeyId
from chatcore.identity.model import (
    AuthThrottle,
    EmailConfirmation,
    OtpChallenge,
    Session,
    SessionId,
    ThrottleScope,
    User,
)
from chatcore.kernel import TenantId, UserId
from chatcore.pagination import Page, PageRequest


class UserRepository(Protocol):
    """Stored accounts."""

    async def add(self, tenant_id: TenantId, user: User) -> None:
        """Store a new user; raises Conflict if the email is taken in this tenant."""
        ...

    async def get(self, tenant_id: TenantId, user_id: UserId) -> User | None:
        """The user, or None if it is not this tenant's."""
        ...

    async def get_by_email(self, tenant_id: TenantId, email: str) -> User | None:
        """The user with this (normalised) email in this tenant, or None."""
        ...

    async def update(self, tenant_id: TenantId, user: User) -> None:
        """Replace a stored user's password, confirmation and display name."""
        ...

    async def delete(self, tenant_id: TenantId, user_id: UserId) -> None:
        """Remove the user row (nothing else; see the erasers)."""
        ...

    async def lapsed_sign_ups(
        self, tenant_id: TenantId, created_before: datetime, now: datetime, limit: int
    ) -> list[UserId]:
        """Up to ``limit`` never-confirmed password accounts created before
        ``created_before`` with no confirmation link live at ``now``, locked until the
        transaction ends; rows another transaction holds are skipped."""
        ...


class SessionRepository(Protocol):
    """Server-side sessions; deleting one revokes its tokens."""

    async def add(self, tenant_id: TenantId, session: Session) -> None:
        """Store a new session."""
        ...

    async def get(self, tenant_id: TenantId, session_id: SessionId) -> Session | None:
        """The session, or None if it is not this tenant's or was revoked."""
        ...

    async def touch(self, tenant_id: TenantId, session_id: SessionId, seen_at: datetime) -> None:
        """Record that the session was used at ``seen_at``."""
        ...

    async def delete(self, tenant_id: TenantId, session_id: SessionId) -> None:
        """Revoke one session."""
        ...

    async def delete_of_principal(self, tenant_id: TenantId, principal_id: uuid.UUID) -> None:
        """Revoke every session of a principal."""
        ...

    async def delete_expired_of_users(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        """Revoke up to ``limit`` users' sessions expired at ``now``; returns how many."""
        ...

    async def expired_anonymous(
        self, tenant_id: TenantId, now: datetime, limit: int
    ) -> list[SessionId]:
        """Up to ``limit`` anonymous sessions expired at ``now``, locked until the
        transaction ends; rows another transaction holds are skipped."""
        ...


class ApiKeyRepository(Protocol):
    """Users' API keys, stored as hashes."""

    async def add(self, tenant_id: TenantId, key: ApiKey) -> None:
        """Store a new key."""
        ...

    async def list(self, tenant_id: TenantId, owner_id: UserId, page: PageRequest) -> Page[ApiKey]:
        """The owner's keys, newest first."""
        ...

    async def with_prefix(self, prefix: str) -> tuple[ApiKey, ...]:
        """Every key whose prefix is ``prefix``, in any tenant: a key is a credential
        that names its tenant, as an access token's claims do."""
        ...

    async def touch(self, tenant_id: TenantId, key_id: ApiKeyId, used_at: datetime) -> None:
        """Record that the key was used at ``used_at``."""
        ...

    async def delete(self, tenant_id: TenantId, owner_id: UserId, key_id: ApiKeyId) -> bool:
        """Revoke one key; False if it is not this owner's."""
        ...

    async def delete_owned(self, tenant_id: TenantId, owner_id: UserId) -> None:
        """Revoke every key of the owner."""
        ...


class OtpChallengeRepository(Protocol):
    """The live one-time code per email."""

    async def get_for_update(self, tenant_id: TenantId, email: str) -> OtpChallenge | None:
        """The email's challenge, locked until the transaction ends, or None."""
        ...

    async def add(self, tenant_id: TenantId, challenge: OtpChallenge) -> None:
        """Store the first challenge of an email; raises Conflict if it has one."""
        ...

    async def update(self, tenant_id: TenantId, challenge: OtpChallenge) -> None:
        """Replace the email's challenge (a new code, or a try counted)."""
        ...

    async def delete(self, tenant_id: TenantId, email: str) -> None:
        """Forget the email's challenge."""
        ...

    async def delete_spent(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        """Forget up to ``limit`` challenges used or expired at ``now``; returns how many."""
        ...


class EmailConfirmationRepository(Protocol):
    """Pending email-confirmation links."""

    async def add(self, tenant_id: TenantId, confirmation: EmailConfirmation) -> None:
        """Store a new link."""
        ...

    async def get_for_update(
        self, tenant_id: TenantId, token_hash: str
    ) -> EmailConfirmation | None:
        """The link with this token hash, locked until the transaction ends, or None."""
        ...

    async def delete(self, tenant_id: TenantId, token_hash: str) -> None:
        """Forget the link with this token hash, if there is one."""
        ...

    async def delete_of_user(self, tenant_id: TenantId, user_id: UserId) -> None:
        """Forget every pending link of a user."""
        ...

    async def delete_expired(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        """Forget up to ``limit`` links expired at ``now``; returns how many."""
        ...


class AuthThrottleRepository(Protocol):
    """Counters that slow down mails and password guesses per email."""

    async def get_for_update(
        self, tenant_id: TenantId, scope: ThrottleScope, subject: str
    ) -> AuthThrottle | None:
        """The counter, locked until the transaction ends, or None."""
        ...

    async def add(self, tenant_id: TenantId, throttle: AuthThrottle) -> None:
        """Store a new counter; raises Conflict if one exists for its scope and subject."""
        ...

    async def update(self, tenant_id: TenantId, throttle: AuthThrottle) -> None:
        """Replace a stored counter."""
        ...

    async def delete_of_subject(self, tenant_id: TenantId, subject: str) -> None:
        """Forget every counter about a subject (an email), whatever its scope."""
        ...

    async def delete_idle(self, tenant_id: TenantId, last_before: datetime, limit: int) -> int:
        """Forget up to ``limit`` counters last changed before ``last_before``; returns
        how many."""
        ...


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
