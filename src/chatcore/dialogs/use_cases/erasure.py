"""Dialogs' part in erasing everything a principal owns."""

from __future__ import annotations

import uuid

from chatcore.kernel import TenantId
from chatcore.unit_of_work import UnitOfWork


class DialogEraser:
    """An OwnedDataEraser for dialogs and their messages."""

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete, inside ``uow`` (not committing), the owner's dialogs and messages."""
        await uow.dialogs.delete_owned(tenant_id, owner_id)
