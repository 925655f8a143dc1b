"""Bodies of the API-key routes."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from chatcore.identity.use_cases.api_keys import ApiKeyUsage, NewApiKey
from http_shell.constraints import FutureTime, KeyName
from http_shell.schemas import Body


class CreateApiKeyBody(Body):
    """``POST /v1/api-keys``: a name to tell the key by, and when it stops working
    (never, if left out)."""

    name: KeyName
    expires_at: FutureTime | None = None


class NewApiKeyOut(msgspec.Struct):
    """A key just made; ``key`` is shown in this response only."""

    id: uuid.UUID
    name: str
    key: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, made: NewApiKey) -> NewApiKeyOut:
        record = made.record
        return cls(
            id=record.id,
            name=record.name,
            key=made.key,
            prefix=record.prefix,
            created_at=record.created_at,
            expires_at=record.expires_at,
            last_used_at=record.last_used_at,
        )


class ApiKeyOut(msgspec.Struct):
    """A key as listed: never the key itself, and this month's tokens spent with it."""

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    total_tokens_this_month: int

    @classmethod
    def of(cls, listed: ApiKeyUsage) -> ApiKeyOut:
        record = listed.record
        return cls(
            id=record.id,
            name=record.name,
            prefix=record.prefix,
            created_at=record.created_at,
            expires_at=record.expires_at,
            last_used_at=record.last_used_at,
            total_tokens_this_month=listed.total_tokens_this_month,
        )


class ApiKeyPage(msgspec.Struct):
    """One page of API keys."""

    items: list[ApiKeyOut]
    next_cursor: str | None
