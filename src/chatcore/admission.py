"""Admission of a chat before its model call, across contexts.

Dialogs asks, usage decides, inside the transaction that stores the question: a
refused chat stores nothing, and a chat is counted only if its question is stored.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from chatcore.identity.principal import Principal
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWork

__all__ = [
    "ChatAdmission",
]


class ChatAdmission(Protocol):
    """Decides whether a principal's chat may call the model now."""

    async def __call__(
        self, uow: UnitOfWork, principal: Principal, tenant: Tenant, estimate: int
    ) -> uuid.UUID:
        """Count the chat and hold ``estimate`` tokens inside ``uow`` (not committing);
        the reservation's id, to settle with. Raises RateLimited or QuotaExceeded."""
        ...
