"""Profiles and saved items kept in memory."""

from __future__ import annotations

import uuid
from datetime import datetime

from adapters.memory.tables import Table, Tables
from chatcore.kernel import TenantId, UserId
from chatcore.pagination import Page, PageRequest, Position, page_of
from chatcore.profile.model import Profile, SavedItem, SavedItemId

PROFILES: Table[tuple[TenantId, UserId], Profile] = Table("profiles")
SAVED_ITEMS: Table[SavedItemId, SavedItem] = Table("saved_items")


class MemoryProfileRepository:
    """A ProfileRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[PROFILES]

    async def get(self, tenant_id: TenantId, user_id: UserId) -> Profile | None:
        return self._rows.get((tenant_id, user_id))

    async def lock(self, tenant_id: TenantId, profile: Profile) -> Profile:
        # The unit of work's lock already makes this transaction the only one.
        _check_tenant(tenant_id, profile.tenant_id)
        return self._rows.setdefault((tenant_id, profile.user_id), profile)

    async def update(self, tenant_id: TenantId, profile: Profile) -> None:
        _check_tenant(tenant_id, profile.tenant_id)
        self._rows[(tenant_id, profile.user_id)] = profile

    async def delete(self, tenant_id: TenantId, user_id: UserId) -> None:
        self._rows.pop((tenant_id, user_id), None)


class MemorySavedItemRepository:
    """A SavedItemRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[SAVED_ITEMS]

    async def add(self, tenant_id: TenantId, item: SavedItem) -> None:
        _check_tenant(tenant_id, item.tenant_id)
        self._rows[item.id] = item

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[SavedItem]:
        rows = sorted(_owned(self._rows, tenant_id, owner_id), key=_position, reverse=True)
        if page.after is not None:
            after = (page.after.at, page.after.id)
            rows = [item for item in rows if _position(item) < after]
        return page_of(rows[: page.limit + 1], page.limit, lambda i: Position(*_position(i)))

    async def delete(self, tenant_id: TenantId, owner_id: uuid.UUID, item_id: SavedItemId) -> bool:
        item = self._rows.get(item_id)
        if item is None or (item.tenant_id, item.owner_id) != (tenant_id, owner_id):
            return False
        del self._rows[item_id]
        return True

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        for item in _owned(self._rows, tenant_id, owner_id):
            del self._rows[item.id]


def _owned(
    rows: dict[SavedItemId, SavedItem], tenant_id: TenantId, owner_id: uuid.UUID
) -> list[SavedItem]:
    return [
        item for item in rows.values() if (item.tenant_id, item.owner_id) == (tenant_id, owner_id)
    ]


def _position(item: SavedItem) -> tuple[datetime, uuid.UUID]:
    return (item.created_at, item.id)


def _check_tenant(tenant_id: TenantId, row_tenant_id: TenantId) -> None:
    if row_tenant_id != tenant_id:
        raise ValueError("a row of another tenant")
