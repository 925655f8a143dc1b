"""Tenants in SQL."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.conflict import insert_or_conflict
from adapters.sql.tables import tenants
from chatcore.kernel import TenantId
from chatcore.pagination import Page, PageRequest, Position, page_of
from chatcore.tenants.model import Tenant, TenantSettings

# Read as every chat settles: built once, its value a parameter, so SQLAlchemy finds it
# in its cache without walking a new statement each time.
_TENANT = tenants.select().where(tenants.c.id == sa.bindparam("id"))


class SqlTenantRepository:
    """A TenantRepository on the ``tenants`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant: Tenant) -> None:
        await insert_or_conflict(
            self._db,
            tenants.insert().values(**_to_row(tenant)),
            f"The slug {tenant.slug!r} is taken.",
        )

    async def get(self, tenant_id: TenantId) -> Tenant | None:
        row = (await self._db.execute(_TENANT, {"id": tenant_id})).first()
        return _from_row(row) if row else None

    async def get_by_slug(self, slug: str) -> Tenant | None:
        row = (await self._db.execute(tenants.select().where(tenants.c.slug == slug))).first()
        return _from_row(row) if row else None

    async def update(self, tenant: Tenant) -> None:
        row = _to_row(tenant)
        await self._db.execute(
            tenants.update()
            .where(tenants.c.id == tenant.id)
            .values(name=row["name"], settings=row["settings"])
        )

    async def list(self, page: PageRequest) -> Page[Tenant]:
        query = tenants.select().order_by(tenants.c.created_at, tenants.c.id)
        if page.after is not None:
            query = query.where(
                sa.tuple_(tenants.c.created_at, tenants.c.id) > (page.after.at, page.after.id)
            )
        rows = (await self._db.execute(query.limit(page.limit + 1))).all()
        return page_of(
            [_from_row(r) for r in rows], page.limit, lambda t: Position(t.created_at, t.id)
        )


def _to_row(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": tenant.id,
        "slug": tenant.slug,
        "name": tenant.name,
        "settings": msgspec.to_builtins(tenant.settings),
        "created_at": tenant.created_at,
    }


def _from_row(row: sa.Row[Any]) -> Tenant:
    return Tenant(
        id=TenantId(row.id),
        slug=row.slug,
        name=row.name,
        settings=msgspec.convert(row.settings, TenantSettings),
        created_at=row.created_at,
    )
