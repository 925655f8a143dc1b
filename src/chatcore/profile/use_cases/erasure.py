"""The profile context's part in erasing everything a principal owns."""

from __future__ import annotations

import uuid
from functools import partial

from chatcore.kernel import BlobStore, TenantId, UserId
from chatcore.profile.use_cases.avatars import discard_avatar
from chatcore.unit_of_work import UnitOfWork


class ProfileEraser:
    """An OwnedDataEraser for saved items, the profile and the avatar file."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete, inside ``uow``, the owner's rows; the avatar file goes after commit,
        so that a rolled-back deletion still has its picture."""
        await uow.saved_items.delete_owned(tenant_id, owner_id)
        profile = await uow.profiles.get(tenant_id, UserId(owner_id))
        if profile is None:
            return
        await uow.profiles.delete(tenant_id, profile.user_id)
        if profile.avatar is not None:
            uow.after_commit(partial(discard_avatar, self._store, profile.avatar))
