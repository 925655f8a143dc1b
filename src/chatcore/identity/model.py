"""Identity's records: users, sessions, one-time codes, confirmation links, throttles,
and the credential a sign-in hands out."""

from __future__ import annotations

import hmac
import unicodedata
import uuid
from datetime import datetime
from typing import Literal, NewType

import msgspec

from chatcore.errors import InvalidInput
from chatcore.identity.principal import Principal, PrincipalKind
from chatcore.kernel import TenantId, UserId

SessionId = NewType("SessionId", uuid.UUID)

MAX_EMAIL = 254  # RFC 5321's limit on a forward path, less its angle brackets
MAX_LOCAL_PART = 64
MAX_USER_AGENT = 512
# Characters an address may only carry inside quotes; refusing them also refuses
# every way of smuggling a second recipient or header into a mail.
_SPECIALS = frozenset('()<>[]\\,;:"')

OtpVerdict = Literal["accepted", "invalid", "expired"]
ThrottleScope = Literal["otp_mail", "signup_mail", "login", "guest_session"]


def normalize_email(raw: str) -> str:
    """The address in lowercase; raises InvalidInput("email") unless it is one plain address."""
    email = raw.lower()
    local, at, domain = email.rpartition("@")
    if (
        not at
        or not local
        or not domain
        or len(email) > MAX_EMAIL
        or len(local) > MAX_LOCAL_PART
        or "@" in local
        or any(_forbidden_in_address(ch) for ch in email)
        or any(not part for part in local.split("."))
        or any(not label or label[0] == "-" or label[-1] == "-" for label in domain.split("."))
    ):
        raise InvalidInput("email", "is not a valid email address")
    return email


def _forbidden_in_address(ch: str) -> bool:
    # Category C covers control, format, surrogate, private-use and unassigned characters.
    return ch.isspace() or ch in _SPECIALS or unicodedata.category(ch)[0] == "C"


def clean_user_agent(raw: str | None) -> str | None:
    """A user agent fit to store: printable and at most 512 characters, or None."""
    if raw is None:
        return None
    printable = "".join(ch for ch in raw if ch.isprintable())[:MAX_USER_AGENT].strip()
    return printable or None


class User(msgspec.Struct, frozen=True, kw_only=True):
    """An account: one email address in one tenant, with an optional password."""

    id: UserId
    tenant_id: TenantId
    email: str
    password_hash: str | None
    email_confirmed_at: datetime | None
    display_name: str | None
    created_at: datetime


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """The server side of a credential: a token is good only while this row is live.

    For an anonymous session the principal is the session itself (same id)."""

    id: SessionId
    tenant_id: TenantId
    principal_id: uuid.UUID
    kind: PrincipalKind
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    user_agent: str | None

    def is_live(self, now: datetime) -> bool:
        """Whether the session has not expired yet."""
        return now < self.expires_at

    def principal(self) -> Principal:
        """The caller this session authenticates."""
        return Principal(
            tenant_id=self.tenant_id, id=self.principal_id, kind=self.kind, session_id=self.id
        )


class OtpChallenge(msgspec.Struct, frozen=True, kw_only=True):
    """The one live code for an email in a tenant, kept only as a keyed hash."""

    email: str
    code_hash: str
    issued_at: datetime
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None

    def attempt(
        self, code_hash: str, now: datetime, max_attempts: int
    ) -> tuple[OtpChallenge, OtpVerdict]:
        """The challenge after one try with ``code_hash``, and what the try earns.

        A wrong try counts even once the code is dead, so that concurrent guesses
        are all on the record; a dead code refuses even the right digits."""
        if self.used_at is not None:
            return self, "invalid"
        if now >= self.expires_at:
            return self, "expired"
        matches = hmac.compare_digest(self.code_hash, code_hash)
        if self.attempts >= max_attempts or not matches:
            return msgspec.structs.replace(self, attempts=self.attempts + 1), "invalid"
        return msgspec.structs.replace(self, used_at=now), "accepted"


class EmailConfirmation(msgspec.Struct, frozen=True, kw_only=True):
    """A pending confirmation link, kept as the sha256 of its token.

    It carries the password chosen when it was sent, so the password an account ends
    up with is always one chosen by whoever can read the mailbox."""

    token_hash: str
    user_id: UserId
    email: str
    password_hash: str
    created_at: datetime
    expires_at: datetime


class AuthThrottle(msgspec.Struct, frozen=True, kw_only=True):
    """Counts events for one subject and purpose: mails to an email in the current
    hour window, consecutive failed logins of an email (kept per email, known or not,
    so it tells nothing), or anonymous sessions started from one client address in
    the current hour window."""

    scope: ThrottleScope
    subject: str
    count: int
    window_started_at: datetime
    last_at: datetime


class Credential(msgspec.Struct, frozen=True, kw_only=True):
    """What a successful sign-in returns: a bearer token, its session and its user."""

    access_token: str
    expires_in: int
    session: Session
    user: User | None
