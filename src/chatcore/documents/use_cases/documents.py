"""Reading and deleting the principal's documents."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

from chatcore.documents.model import Document, DocumentId
from chatcore.errors import NotFound
from chatcore.identity.principal import Principal
from chatcore.kernel import BlobStore
from chatcore.pagination import Page, PageRequest
from chatcore.unit_of_work import UnitOfWorkFactory


class ListDocuments:
    """The principal's documents, newest first, a page at a time."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest) -> Page[Document]:
        """One page of documents."""
        async with self._uow(read_only=True) as uow:
            return await uow.documents.list(principal.tenant_id, principal.id, page)


class GetDocument:
    """One of the principal's documents."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, document_id: DocumentId) -> Document:
        """The document; raises NotFound if it is not the principal's."""
        async with self._uow(read_only=True) as uow:
            document = await uow.documents.get(principal.tenant_id, principal.id, document_id)
        if document is None:
            raise NotFound("No such document.")
        return document


class GetDocumentFile:
    """The original bytes of one of the principal's documents."""

    def __init__(self, get_document: GetDocument, blobs: BlobStore) -> None:
        self._get, self._blobs = get_document, blobs

    async def __call__(
        self, principal: Principal, document_id: DocumentId
    ) -> tuple[Document, AsyncIterator[bytes]]:
        """The document and its file, opened; raises NotFound."""
        document = await self._get(principal, document_id)
        return document, await self._blobs.open(document.blob_key)


class DeleteDocument:
    """Delete one of the principal's documents: its row, chunks, vectors and file."""

    def __init__(self, uow: UnitOfWorkFactory, blobs: BlobStore) -> None:
        self._uow, self._blobs = uow, blobs

    async def __call__(self, principal: Principal, document_id: DocumentId) -> None:
        """Delete it; raises NotFound if it is not the principal's."""
        tenant_id = principal.tenant_id
        async with self._uow() as uow:
            document = await uow.documents.get(tenant_id, principal.id, document_id)
            if document is None:
                raise NotFound("No such document.")
            await uow.documents.delete(tenant_id, principal.id, document_id)
            uow.after_commit(functools.partial(self._blobs.delete, document.blob_key))
            await uow.commit()
