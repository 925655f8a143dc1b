"""API keys kept in memory, keyed by tenant first like every identity row."""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.memory.tables import Table, Tables
from chatcore.identity.api_keys import ApiKey, ApiKeyId
from chatcore.kernel import TenantId, UserId
from chatcore.pagination import Page, PageRequest, Position, page_of

API_KEYS: Table[tuple[TenantId, ApiKeyId], ApiKey] = Table("api_keys")


class MemoryApiKeyRepository:
    """An ApiKeyRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[API_KEYS]

    async def add(self, tenant_id: TenantId, key: ApiKey) -> None:
        if key.tenant_id != tenant_id:
            raise ValueError("a row of another tenant")
        self._rows[tenant_id, key.id] = key

    async def list(self, tenant_id: TenantId, owner_id: UserId, page: PageRequest) -> Page[ApiKey]:
        rows = sorted(self._owned(tenant_id, owner_id), key=_position, reverse=True)
        if page.after is not None:
            after = (page.after.at, page.after.id)
            rows = [key for key in rows if _position(key) < after]
        return page_of(rows[: page.limit + 1], page.limit, lambda k: Position(*_position(k)))

    async def with_prefix(self, prefix: str) -> tuple[ApiKey, ...]:
        return tuple(key for key in self._rows.values() if key.prefix == prefix)

    async def touch(self, tenant_id: TenantId, key_id: ApiKeyId, used_at: datetime) -> None:
        key = self._rows.get((tenant_id, key_id))
        if key is not None:
            self._rows[tenant_id, key_id] = msgspec.structs.replace(key, last_used_at=used_at)

    async def delete(self, tenant_id: TenantId, owner_id: UserId, key_id: ApiKeyId) -> bool:
        key = self._rows.get((tenant_id, key_id))
        if key is None or key.owner_id != owner_id:
            return False
        del self._rows[tenant_id, key_id]
        return True

    async def delete_owned(self, tenant_id: TenantId, owner_id: UserId) -> None:
        for key in self._owned(tenant_id, owner_id):
            del self._rows[tenant_id, key.id]

    def _owned(self, tenant_id: TenantId, owner_id: UserId) -> tuple[ApiKey, ...]:
        return tuple(
            key for (t, _), key in self._rows.items() if t == tenant_id and key.owner_id == owner_id
        )


def _position(key: ApiKey) -> tuple[datetime, ApiKeyId]:
    return key.created_at, key.id
