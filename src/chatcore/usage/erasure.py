"""Usage's part in erasing everything a principal owns."""

from __future__ import annotations

import uuid

from chatcore.kernel import TenantId
from chatcore.unit_of_work import UnitOfWork


class UsageEraser:
    """An OwnedDataEraser for the ledger and the rate-limit counter of a principal;
    the tenant's totals keep the tokens, so erasing an account frees no tenant cap."""

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete, inside ``uow`` (not committing), the owner's usage rows."""
        await uow.rate_limiter.forget(tenant_id, owner_id)
        await uow.usage.delete_owned(tenant_id, owner_id)
