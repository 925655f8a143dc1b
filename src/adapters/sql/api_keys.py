"""API keys in SQL. Every statement but the prefix lookup filters on ``tenant_id``;
that one finds the key a request presents, which names its own tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import api_keys
from chatcore.identity.api_keys import ApiKey, ApiKeyId
from chatcore.kernel import TenantId, UserId
from chatcore.pagination import Page, PageRequest, Position, page_of

# Read on every request made with a key: built once, its value a parameter.
_WITH_PREFIX = api_keys.select().where(api_keys.c.prefix == sa.bindparam("prefix"))


class SqlApiKeyRepository:
    """An ApiKeyRepository on the ``api_keys`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, key: ApiKey) -> None:
        if key.tenant_id != tenant_id:
            raise ValueError("a row of another tenant")
        await self._db.execute(
            api_keys.insert().values(
                id=key.id,
                tenant_id=tenant_id,
                owner_id=key.owner_id,
                name=key.name,
                prefix=key.prefix,
                key_hash=key.key_hash,
                created_at=key.created_at,
                expires_at=key.expires_at,
                last_used_at=key.last_used_at,
            )
        )

    async def list(self, tenant_id: TenantId, owner_id: UserId, page: PageRequest) -> Page[ApiKey]:
        k = api_keys.c
        query = (
            api_keys.select()
            .where(*_owned(tenant_id, owner_id))
            .order_by(k.created_at.desc(), k.id.desc())
        )
        if page.after is not None:
            query = query.where(sa.tuple_(k.created_at, k.id) < (page.after.at, page.after.id))
        rows = (await self._db.execute(query.limit(page.limit + 1))).all()
        return page_of(
            [_api_key(row) for row in rows],
            page.limit,
            lambda key: Position(key.created_at, key.id),
        )

    async def with_prefix(self, prefix: str) -> tuple[ApiKey, ...]:
        rows = await self._db.execute(_WITH_PREFIX, {"prefix": prefix})
        return tuple(_api_key(row) for row in rows)

    async def touch(self, tenant_id: TenantId, key_id: ApiKeyId, used_at: datetime) -> None:
        await self._db.execute(
            api_keys.update()
            .where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id)
            .values(last_used_at=used_at)
        )

    async def delete(self, tenant_id: TenantId, owner_id: UserId, key_id: ApiKeyId) -> bool:
        result = await self._db.execute(
            api_keys.delete().where(*_owned(tenant_id, owner_id), api_keys.c.id == key_id)
        )
        return result.rowcount > 0

    async def delete_owned(self, tenant_id: TenantId, owner_id: UserId) -> None:
        await self._db.execute(api_keys.delete().where(*_owned(tenant_id, owner_id)))


def _owned(tenant_id: TenantId, owner_id: UserId) -> tuple[sa.ColumnElement[bool], ...]:
    return api_keys.c.tenant_id == tenant_id, api_keys.c.owner_id == owner_id


def _api_key(row: sa.Row[Any]) -> ApiKey:
    return ApiKey(
        id=ApiKeyId(row.id),
        tenant_id=TenantId(row.tenant_id),
        owner_id=UserId(row.owner_id),
        name=row.name,
        prefix=row.prefix,
        key_hash=row.key_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )
