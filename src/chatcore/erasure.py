"""Erasure of everything a principal owns, across contexts.

Each context that stores data owned by a user or an anonymous session provides an
eraser; deleting an account or a session runs all of them in one transaction, so
identity need not know what the other contexts keep.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from chatcore.kernel import TenantId
from chatcore.unit_of_work import UnitOfWork

__all__ = [
    "OwnedDataEraser",
]


class OwnedDataEraser(Protocol):
    """Deletes one context's rows owned by a principal."""

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete, inside ``uow`` (not committing), every row ``owner_id`` owns here."""
        ...
