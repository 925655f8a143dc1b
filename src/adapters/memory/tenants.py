"""Tenants kept in memory."""

from __future__ import annotations

from adapters.memory.tables import Table, Tables
from chatcore.errors import Conflict
from chatcore.kernel import TenantId
from chatcore.pagination import Page, PageRequest, Position, page_of
from chatcore.tenants.model import Tenant

TENANTS: Table[TenantId, Tenant] = Table("tenants")


class MemoryTenantRepository:
    """A TenantRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[TENANTS]

    async def add(self, tenant: Tenant) -> None:
        if any(t.slug == tenant.slug for t in self._rows.values()):
            raise Conflict(f"The slug {tenant.slug!r} is taken.")
        self._rows[tenant.id] = tenant

    async def get(self, tenant_id: TenantId) -> Tenant | None:
        return self._rows.get(tenant_id)

    async def get_by_slug(self, slug: str) -> Tenant | None:
        return next((t for t in self._rows.values() if t.slug == slug), None)

    async def update(self, tenant: Tenant) -> None:
        self._rows[tenant.id] = tenant

    async def list(self, page: PageRequest) -> Page[Tenant]:
        rows = sorted(self._rows.values(), key=_position)
        if page.after is not None:
            after = page.after
            rows = [t for t in rows if _position(t) > (after.at, after.id)]
        return page_of(rows[: page.limit + 1], page.limit, lambda t: Position(*_position(t)))


def _position(tenant: Tenant) -> tuple:  # type: ignore[type-arg]
    return (tenant.created_at, tenant.id)
