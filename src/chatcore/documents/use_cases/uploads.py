"""Uploading a document: checked, stored, recorded with its ingestion queued in the
same transaction (so no document waits for a job that was never queued), then
ingested in the background by whichever process takes the job."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import msgspec

from chatcore.documents.intake import SNIFF_BYTES, clean_filename, sniff_content_type
from chatcore.documents.model import Document, DocumentId
from chatcore.documents.use_cases.ingestion_jobs import queue_ingestion
from chatcore.documents.use_cases.quota import StorageQuotas, admit_storage, storage_quota
from chatcore.errors import Conflict, FileTooLarge, InvalidInput, UnsupportedMediaType
from chatcore.identity.principal import Principal
from chatcore.jobs.ports import JobSignal
from chatcore.kernel import BlobStore, Clock, IdFactory
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.documents")


class Upload(msgspec.Struct, frozen=True, kw_only=True):
    """The uploaded document, and whether it is new (False: the owner had these bytes)."""

    document: Document
    created: bool


class UploadDocument:
    """Store an uploaded file and start its ingestion."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        blobs: BlobStore,
        jobs: JobSignal,
        clock: Clock,
        ids: IdFactory,
        max_bytes: int,
        quotas: StorageQuotas | None = None,
    ) -> None:
        self._uow, self._blobs, self._jobs = uow, blobs, jobs
        self._clock, self._ids, self._max_bytes = clock, ids, max_bytes
        self._quotas = quotas or StorageQuotas()

    async def __call__(
        self, principal: Principal, filename: str | None, content: AsyncIterator[bytes]
    ) -> Upload:
        """The document, ``processing`` unless these bytes were uploaded before; raises
        FileTooLarge, StorageQuotaExceeded (nothing is kept), UnsupportedMediaType, or
        InvalidInput for an empty file."""
        head = await self._head(content)
        if not head:
            raise InvalidInput("file", "is empty")
        content_type = sniff_content_type(head)
        if content_type is None:
            raise UnsupportedMediaType(
                "Upload a PDF, Word (DOCX), web page (HTML), plain text or Markdown file."
            )
        key = self._ids.new_id().hex
        stored = await self._blobs.put(key, self._limited(head, content))
        now = self._clock.now()
        document = Document(
            id=DocumentId(self._ids.new_id()),
            tenant_id=principal.tenant_id,
            owner_id=principal.id,
            filename=clean_filename(filename),
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
            blob_key=key,
            status="processing",
            created_at=now,
            updated_at=now,
        )
        try:
            upload = await self._record(document, principal)
        except BaseException:
            await self._blobs.delete(key)
            raise
        if not upload.created:
            await self._blobs.delete(key)
        if upload.document.status == "processing":
            self._jobs.wake()
        return upload

    async def _record(self, document: Document, principal: Principal) -> Upload:
        """The new document, or the owner's earlier one with the same bytes (a
        failed one is tried again); only a new one takes more of the quota."""
        tenant_id, owner_id = document.tenant_id, document.owner_id
        async with self._uow() as uow:
            existing = await uow.documents.find_by_sha256(tenant_id, owner_id, document.sha256)
            if existing is None:
                quota = await storage_quota(uow, self._quotas, tenant_id, principal.kind)
                await admit_storage(uow, tenant_id, owner_id, document.size, quota)
                try:
                    await uow.documents.add(tenant_id, document)
                    await queue_ingestion(uow, document, document.created_at)
                    await uow.commit()
                    return Upload(document=document, created=True)
                except Conflict:
                    pass  # the same bytes, uploaded at the same moment: read theirs below
            elif existing.status == "failed" and await uow.documents.set_status(
                tenant_id,
                existing.id,
                expected="failed",
                status="processing",
                at=document.created_at,
            ):
                await queue_ingestion(uow, existing, document.created_at)
                await uow.commit()
                retried = msgspec.structs.replace(
                    existing, status="processing", error=None, updated_at=document.created_at
                )
                return Upload(document=retried, created=False)
            else:
                return Upload(document=existing, created=False)
        async with self._uow(read_only=True) as uow:
            existing = await uow.documents.find_by_sha256(tenant_id, owner_id, document.sha256)
        if existing is None:
            raise Conflict("The upload clashed with another; try again.")
        return Upload(document=existing, created=False)

    async def _head(self, content: AsyncIterator[bytes]) -> bytes:
        """The first ``SNIFF_BYTES`` or more of the content (all of it if shorter)."""
        head = bytearray()
        async for piece in content:
            head += piece
            if len(head) > self._max_bytes:
                raise FileTooLarge(self._too_large())
            if len(head) >= SNIFF_BYTES:
                break
        return bytes(head)

    async def _limited(self, head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """The whole content, failing as soon as it passes the size limit."""
        size = len(head)
        yield head
        async for piece in rest:
            size += len(piece)
            if size > self._max_bytes:
                raise FileTooLarge(self._too_large())
            yield piece

    def _too_large(self) -> str:
        return f"Files may be at most {self._max_bytes / (1024 * 1024):g} MB."
