"""The shared kernel: what every context may use and none owns. Time and
identifiers as ports (so use cases stay deterministic under test) with the plain
implementations every deployment uses, the ids that cross contexts, and the values
and ports two contexts share sideways (dialogs and usage share a usage record,
documents and profile a blob store, tenants and usage the starting limits).

Tenants and identity are upstream of every other context (each request carries a
tenant and a principal): ``Tenant`` and ``Principal`` stay with them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from typing import NewType, Protocol, runtime_checkable

import msgspec

__all__ = [
    "BlobStore",
    "Clock",
    "DialogId",
    "IdFactory",
    "RandomIdFactory",
    "StoredBlob",
    "SystemClock",
    "TenantDefaults",
    "TenantId",
    "UnfinishedWrites",
    "UsageRecord",
    "UserId",
]

TenantId = NewType("TenantId", uuid.UUID)
UserId = NewType("UserId", uuid.UUID)
DialogId = NewType("DialogId", uuid.UUID)


class Clock(Protocol):
    """Where the core reads the time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class IdFactory(Protocol):
    """Where the core gets new identifiers."""

    def new_id(self) -> uuid.UUID:
        """A fresh, unique id."""
        ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class RandomIdFactory:
    """Random (version 4) UUIDs."""

    def new_id(self) -> uuid.UUID:
        return uuid.uuid4()


class TenantDefaults(msgspec.Struct, frozen=True):
    """Limits a new tenant starts with unless its creator says otherwise."""

    monthly_token_quota: int = 1_000_000
    rate_limit_per_minute: int = 30


class UsageRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The tokens one model call cost, and whom it is billed to: a principal, in a
    dialog (None for a stateless completion), by an API key if it used one."""

    tenant_id: TenantId
    principal_id: uuid.UUID
    dialog_id: DialogId | None
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    at: datetime
    reservation_id: uuid.UUID | None = None  # what the chat's admission held, to release
    api_key_id: uuid.UUID | None = None


class StoredBlob(msgspec.Struct, frozen=True):
    """What a blob store wrote: how many bytes, and their SHA-256 (hex)."""

    size: int
    sha256: str


class BlobStore(Protocol):
    """Where the bytes of uploaded files are kept, under generated keys."""

    async def put(self, key: str, content: AsyncIterable[bytes]) -> StoredBlob:
        """Write ``content`` under ``key``, all or nothing: if the stream raises,
        nothing is left behind and the error propagates."""
        ...

    async def read(self, key: str) -> bytes:
        """The whole file; raises NotFound."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The file as a stream of pieces, opened now; raises NotFound."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the file, if it is there."""
        ...


@runtime_checkable
class UnfinishedWrites(Protocol):
    """A blob store whose writes, cut short by a crash, leave something behind (a
    store need not be one: the sweep passes over those that are not)."""

    async def remove_unfinished(self, idle_since: datetime) -> int:
        """Remove what writes cut short left, untouched since ``idle_since``; returns
        how many."""
        ...
