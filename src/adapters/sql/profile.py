"""Profiles and saved items in SQL."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.dialect import upsert
from adapters.sql.tables import profiles, saved_items
from chatcore.kernel import TenantId, UserId
from chatcore.pagination import Page, PageRequest, Position, page_of
from chatcore.profile.model import Profile, SavedItem, SavedItemId


class SqlProfileRepository:
    """A ProfileRepository on the ``profiles`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def get(self, tenant_id: TenantId, user_id: UserId) -> Profile | None:
        row = (await self._db.execute(profiles.select().where(*_key(tenant_id, user_id)))).first()
        return _profile(row) if row else None

    async def lock(self, tenant_id: TenantId, profile: Profile) -> Profile:
        # Insert-if-missing first, so that FOR UPDATE always has a row to lock and two
        # first writers queue instead of both inserting (SQLite's BEGIN IMMEDIATE
        # serialises writers already, and it ignores FOR UPDATE).
        _check_tenant(tenant_id, profile.tenant_id)
        insert = upsert(self._db.dialect, profiles).values(**_values(profile))
        await self._db.execute(
            insert.on_conflict_do_nothing(index_elements=["tenant_id", "user_id"])
        )
        query = profiles.select().where(*_key(tenant_id, profile.user_id)).with_for_update()
        return _profile((await self._db.execute(query)).one())

    async def update(self, tenant_id: TenantId, profile: Profile) -> None:
        _check_tenant(tenant_id, profile.tenant_id)
        await self._db.execute(
            profiles.update().where(*_key(tenant_id, profile.user_id)).values(**_values(profile))
        )

    async def delete(self, tenant_id: TenantId, user_id: UserId) -> None:
        await self._db.execute(profiles.delete().where(*_key(tenant_id, user_id)))


class SqlSavedItemRepository:
    """A SavedItemRepository on the ``saved_items`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, item: SavedItem) -> None:
        _check_tenant(tenant_id, item.tenant_id)
        await self._db.execute(
            saved_items.insert().values(
                id=item.id,
                tenant_id=tenant_id,
                owner_id=item.owner_id,
                message_id=item.message_id,
                text=item.text,
                note=item.note,
                created_at=item.created_at,
            )
        )

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[SavedItem]:
        query = (
            saved_items.select()
            .where(*_owned(tenant_id, owner_id))
            .order_by(saved_items.c.created_at.desc(), saved_items.c.id.desc())
        )
        if page.after is not None:
            position = sa.tuple_(saved_items.c.created_at, saved_items.c.id)
            query = query.where(position < (page.after.at, page.after.id))
        rows = (await self._db.execute(query.limit(page.limit + 1))).all()
        return page_of(
            [_saved_item(r) for r in rows], page.limit, lambda i: Position(i.created_at, i.id)
        )

    async def delete(self, tenant_id: TenantId, owner_id: uuid.UUID, item_id: SavedItemId) -> bool:
        result = await self._db.execute(
            saved_items.delete().where(*_owned(tenant_id, owner_id), saved_items.c.id == item_id)
        )
        return result.rowcount > 0

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        await self._db.execute(saved_items.delete().where(*_owned(tenant_id, owner_id)))


def _key(tenant_id: TenantId, user_id: UserId) -> tuple[sa.ColumnElement[bool], ...]:
    return profiles.c.tenant_id == tenant_id, profiles.c.user_id == user_id


def _owned(tenant_id: TenantId, owner_id: uuid.UUID) -> tuple[sa.ColumnElement[bool], ...]:
    return saved_items.c.tenant_id == tenant_id, saved_items.c.owner_id == owner_id


def _values(profile: Profile) -> dict[str, Any]:
    return {
        "tenant_id": profile.tenant_id,
        "user_id": profile.user_id,
        "locale": profile.locale,
        "settings": profile.settings,
        "avatar": profile.avatar,
        "updated_at": profile.updated_at,
    }


def _profile(row: sa.Row[Any]) -> Profile:
    return Profile(
        tenant_id=TenantId(row.tenant_id),
        user_id=UserId(row.user_id),
        locale=row.locale,
        settings=dict(row.settings),
        avatar=row.avatar,
        updated_at=row.updated_at,
    )


def _saved_item(row: sa.Row[Any]) -> SavedItem:
    return SavedItem(
        id=SavedItemId(row.id),
        tenant_id=TenantId(row.tenant_id),
        owner_id=row.owner_id,
        message_id=row.message_id,
        text=row.text,
        note=row.note,
        created_at=row.created_at,
    )


def _check_tenant(tenant_id: TenantId, row_tenant_id: TenantId) -> None:
    if row_tenant_id != tenant_id:
        raise ValueError("a row of another tenant")
