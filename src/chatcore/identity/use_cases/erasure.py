"""Hard deletion of a principal: every context's rows, then identity's own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from chatcore.erasure import OwnedDataEraser
from chatcore.kernel import TenantId, UserId
from chatcore.unit_of_work import UnitOfWork


class IdentityEraser:
    """An OwnedDataEraser for identity's rows: sessions, the account, its API keys,
    its pending links, and the codes and counters kept under its email."""

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete, inside ``uow``, the owner's sessions and, for a user, the account."""
        await uow.sessions.delete_of_principal(tenant_id, owner_id)
        user = await uow.users.get(tenant_id, UserId(owner_id))
        if user is None:
            return
        await uow.api_keys.delete_owned(tenant_id, user.id)
        await uow.otp_challenges.delete(tenant_id, user.email)
        await uow.auth_throttles.delete_of_subject(tenant_id, user.email)
        await uow.email_confirmations.delete_of_user(tenant_id, user.id)
        await uow.users.delete(tenant_id, user.id)


async def erase_principal(
    uow: UnitOfWork,
    tenant_id: TenantId,
    owner_id: uuid.UUID,
    erasers: Sequence[OwnedDataEraser],
) -> None:
    """Run every other context's eraser, then identity's, inside ``uow`` (not committing).

    Identity goes last so that rows elsewhere that refer to the account go first."""
    for eraser in erasers:
        await eraser.erase_owned(uow, tenant_id, owner_id)
    await IdentityEraser().erase_owned(uow, tenant_id, owner_id)
