"""API keys: long-lived bearer credentials a user makes for programs (OpenAI clients,
scripts). A key is ``ck_`` and 43 random url-safe characters; it is shown once and
kept only as a keyed hash, found again by its first characters (its prefix)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import NewType

import msgspec

from chatcore.errors import InvalidInput
from chatcore.identity.principal import Principal
from chatcore.kernel import TenantId, UserId

ApiKeyId = NewType("ApiKeyId", uuid.UUID)

KEY_MARK = "ck_"
PREFIX_CHARS = 8  # random characters after the mark kept in clear, to find and show a key
RANDOM_BYTES = 32  # 43 url-safe characters: far beyond guessing, so a fast hash will do
MAX_NAME = 100


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """A user's key in one tenant: its name, its visible prefix and the hash of the
    whole key; live until ``expires_at`` (None: until revoked)."""

    id: ApiKeyId
    tenant_id: TenantId
    owner_id: UserId
    name: str
    prefix: str
    key_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    def is_live(self, now: datetime) -> bool:
        """Whether the key has not expired."""
        return self.expires_at is None or now < self.expires_at

    def principal(self) -> Principal:
        """The caller the key authenticates: its user, marked as acting by this key."""
        return Principal(
            tenant_id=self.tenant_id,
            id=self.owner_id,
            kind="user",
            session_id=self.id,
            api_key_id=self.id,
        )


def new_key() -> str:
    """A fresh secret key."""
    return KEY_MARK + secrets.token_urlsafe(RANDOM_BYTES)


def looks_like_key(token: str) -> bool:
    """Whether a bearer token is meant as an API key (rather than an access token)."""
    return token.startswith(KEY_MARK)


def prefix_of(key: str) -> str:
    """The part of a key kept in clear: the mark and its first random characters."""
    return key[: len(KEY_MARK) + PREFIX_CHARS]


def hash_key(secret: bytes, key: str) -> str:
    """The keyed hash a key is stored as (hex); without ``secret`` a stolen table of
    hashes cannot even be checked against guesses."""
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def matches(candidate: ApiKey, key_hash: str) -> bool:
    """Whether ``key_hash`` is the candidate's, compared in constant time."""
    return hmac.compare_digest(candidate.key_hash, key_hash)


def validate_key_name(name: str) -> str:
    """The trimmed name; raises InvalidInput("name") if it is empty, too long or not
    printable."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput("name", f"must be 1 to {MAX_NAME} characters")
    if not name.isprintable():
        raise InvalidInput("name", "must be printable text")
    return name
