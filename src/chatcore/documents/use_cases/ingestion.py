"""Ingesting a document: extract its text, chunk it, embed the chunks, index them.

No unit of work is open while the file is read, its text extracted or its chunks
embedded. Once extracted, the text is counted against its owner's storage quota in
one short transaction, before any embedding is paid for; the chunks are indexed,
and the document marked ready, in another at the end, which only the first worker
to get there commits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import msgspec

from chatcore.documents.chunking import DEFAULT_OVERLAP, DEFAULT_SIZE, chunk_pages
from chatcore.documents.headings import STRUCTURED, heading_starts, with_headings
from chatcore.documents.model import (
    Chunk,
    ChunkId,
    Document,
    ExtractionFailed,
    IngestFailure,
    IngestOutcome,
    PageText,
    TextTooLong,
    Vector,
)
from chatcore.documents.ports import Embedder, TextExtractor
from chatcore.documents.use_cases.quota import (
    StorageQuotas,
    admit_storage,
    owner_kind,
    storage_quota,
)
from chatcore.errors import NotFound, StorageQuotaExceeded, Unavailable
from chatcore.events.model import DocumentFailed, DocumentReady
from chatcore.events.ports import EventBus
from chatcore.kernel import BlobStore, Clock, IdFactory
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.documents")

MAX_ERROR = 500
SKIPPED = IngestOutcome(status="skipped")
_CONTROLS = {c: None for c in (*range(32), 127) if chr(c) not in "\t\n\r\f"}


class Passage(msgspec.Struct, frozen=True):
    """A chunk's page and the text indexed for it (its window, after any headings)."""

    page: int
    text: str


class IngestSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Chunk size and overlap in characters, how many chunks go to the embedder in
    one call, and the most characters of text one document may have."""

    chunk_chars: int = DEFAULT_SIZE
    overlap_chars: int = DEFAULT_OVERLAP
    embed_batch: int = 64
    max_chars: int = 2_000_000


class IngestDocument:
    """Turn a stored document into indexed chunks; it ends ``ready`` or ``failed``,
    and its owner is told which (``document_ready`` / ``document_failed``)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        blobs: BlobStore,
        extractors: Mapping[str, TextExtractor],
        embedder: Embedder,
        events: EventBus,
        clock: Clock,
        ids: IdFactory,
        settings: IngestSettings | None = None,
        quotas: StorageQuotas | None = None,
    ) -> None:
        self._uow, self._blobs, self._extractors = uow, blobs, extractors
        self._embedder, self._events, self._clock, self._ids = embedder, events, clock, ids
        self._settings = settings or IngestSettings()
        self._quotas = quotas or StorageQuotas()

    async def __call__(self, document: Document) -> IngestOutcome:
        """Ingest the document and say how it ended; a failure is recorded on it, but
        for Unavailable (a dependency is down), raised to have it tried again later."""
        try:
            prepared = await self._prepare(document)
        except (ExtractionFailed, StorageQuotaExceeded) as exc:
            failure: IngestFailure = (
                "quota_exceeded" if isinstance(exc, StorageQuotaExceeded) else "unreadable"
            )
            return await self._fail(document, exc.detail, failure)
        except NotFound:
            return await self._fail(
                document, "The stored file is missing; upload it again.", "file_missing"
            )
        except Unavailable:
            raise  # a dependency is down for now: the job queue retries
        except Exception:
            log.exception("Ingesting document %s failed", document.id)
            return await self._fail(document, "The document could not be processed.", "error")
        if prepared is None:
            return SKIPPED
        return await self._finish(document, *prepared)

    async def _prepare(
        self, document: Document
    ) -> tuple[int, int, list[Passage], list[Vector]] | None:
        """Pages, text size, chunks and their vectors; None if the document went."""
        extractor = self._extractors.get(document.content_type)
        if extractor is None:
            raise ExtractionFailed(f"Files of type {document.content_type} cannot be read.")
        settings = self._settings
        content = await self._blobs.read(document.blob_key)
        pages = await extractor.extract(content, settings.max_chars)
        del content  # the file may be large; the text is what matters from here on
        if sum(len(page.text) for page in pages) > settings.max_chars:
            raise TextTooLong(settings.max_chars)  # whatever the extractor let through
        pages = [PageText(page.number, _printable(page.text)) for page in pages]
        text_size = sum(len(page.text.encode()) for page in pages)
        if not await self._hold_text(document, text_size):
            return None
        # Chunking a long text takes a while; the event loop has other work.
        structured = document.content_type in STRUCTURED
        passages = await asyncio.to_thread(_passages, pages, settings, structured)
        if not passages:
            raise ExtractionFailed("The file contains no text.")
        vectors: list[Vector] = []
        for batch in _batches(passages, settings.embed_batch):
            vectors.extend(await self._embedder.embed([p.text for p in batch]))
        return len(pages), text_size, passages, vectors

    async def _hold_text(self, document: Document, text_size: int) -> bool:
        """Count the text against the owner's quota (raises StorageQuotaExceeded);
        False if the document is gone or no longer being ingested."""
        tenant_id, owner_id = document.tenant_id, document.owner_id
        async with self._uow() as uow:
            kind = await owner_kind(uow, tenant_id, owner_id)
            quota = await storage_quota(uow, self._quotas, tenant_id, kind)
            # Locked before the document is read: a second worker on the same
            # document (or one taking it up after a crash) sees the text it holds.
            await uow.documents.lock_storage(tenant_id, owner_id)
            current = await uow.documents.get(tenant_id, owner_id, document.id)
            if current is None or current.status != "processing":
                return False
            await admit_storage(uow, tenant_id, owner_id, text_size - current.text_size, quota)
            await uow.documents.set_status(
                tenant_id,
                document.id,
                expected="processing",
                status="processing",
                at=self._clock.now(),
                text_size=text_size,
            )
            await uow.commit()
        return True

    async def _finish(
        self,
        document: Document,
        pages: int,
        text_size: int,
        passages: list[Passage],
        vectors: list[Vector],
    ) -> IngestOutcome:
        chunks = [
            Chunk(
                id=ChunkId(self._ids.new_id()),
                tenant_id=document.tenant_id,
                owner_id=document.owner_id,
                document_id=document.id,
                ordinal=ordinal,
                page=passage.page,
                text=passage.text,
                embedder=self._embedder.name,
                dimension=self._embedder.dimension,
            )
            for ordinal, passage in enumerate(passages)
        ]
        async with self._uow() as uow:
            # First the status: its row lock makes a second worker wait, then skip.
            if await uow.documents.set_status(
                document.tenant_id,
                document.id,
                expected="processing",
                status="ready",
                at=self._clock.now(),
                pages=pages,
                chunks=len(chunks),
                text_size=text_size,
            ):
                await uow.chunks.add(document.tenant_id, chunks, vectors)
                await uow.commit()
            else:
                return SKIPPED  # deleted meanwhile, or finished by another worker
        await self._events.publish(
            document.tenant_id, document.owner_id, DocumentReady(document_id=document.id)
        )
        return IngestOutcome(status="ready", pages=pages)

    async def fail(self, document: Document, error: str, failure: IngestFailure) -> IngestOutcome:
        """Mark the document, if still being ingested, ``failed`` with ``error``."""
        return await self._fail(document, error, failure)

    async def _fail(self, document: Document, error: str, failure: IngestFailure) -> IngestOutcome:
        async with self._uow() as uow:
            if await uow.documents.set_status(
                document.tenant_id,
                document.id,
                expected="processing",
                status="failed",
                at=self._clock.now(),
                error=error[:MAX_ERROR],
            ):
                await uow.commit()
            else:
                return SKIPPED
        await self._events.publish(
            document.tenant_id,
            document.owner_id,
            DocumentFailed(document_id=document.id, error=error[:MAX_ERROR]),
        )
        return IngestOutcome(status="failed", failure=failure)


def _printable(text: str) -> str:
    """The text without control characters but whitespace ones (NUL cannot even be
    stored in Postgres text)."""
    return text.translate(_CONTROLS)


def _passages(pages: list[PageText], settings: IngestSettings, structured: bool) -> list[Passage]:
    """The document's chunks: windows of its pages, with their headings if it has any."""
    sections = heading_starts if structured else None
    windows = chunk_pages(pages, settings.chunk_chars, settings.overlap_chars, sections)
    texts = with_headings(pages, windows) if structured else [w.text for w in windows]
    return [Passage(w.page, text) for w, text in zip(windows, texts, strict=True)]


def _batches(passages: Sequence[Passage], size: int) -> list[Sequence[Passage]]:
    return [passages[i : i + size] for i in range(0, len(passages), size)]
