"""Documents' part in erasing everything a principal owns."""

from __future__ import annotations

import functools
import uuid

from chatcore.kernel import BlobStore, TenantId
from chatcore.unit_of_work import UnitOfWork


class DocumentEraser:
    """An OwnedDataEraser for documents, their chunks, vectors and files."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete, inside ``uow`` (not committing), the owner's documents and chunks;
        their files go once it commits, and stay if it rolls back."""
        for document in await uow.documents.owned(tenant_id, owner_id):
            uow.after_commit(functools.partial(self._blobs.delete, document.blob_key))
        await uow.documents.delete_owned(tenant_id, owner_id)
