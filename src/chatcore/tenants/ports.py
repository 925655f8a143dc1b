"""What the tenants context needs from the outside world."""

from __future__ import annotations

from typing import Protocol

from chatcore.kernel import TenantId
from chatcore.pagination import Page, PageRequest
from chatcore.tenants.model import Tenant


class TenantRepository(Protocol):
    """Stored tenants. The one repository not scoped by a tenant: it holds them."""

    async def add(self, tenant: Tenant) -> None:
        """Store a new tenant; raises Conflict if its slug is taken."""
        ...

    async def get(self, tenant_id: TenantId) -> Tenant | None:
        """The tenant with this id, or None."""
        ...

    async def get_by_slug(self, slug: str) -> Tenant | None:
        """The tenant with this slug, or None."""
        ...

    async def update(self, tenant: Tenant) -> None:
        """Replace a stored tenant's name and settings."""
        ...

    async def list(self, page: PageRequest) -> Page[Tenant]:
        """Tenants, oldest first."""
        ...
