"""Ingesting a document: extract its text, chunk it, embed the chunks, index them.

No unit of work is open while the file is read, its text extracted or its chunks
embedded; the chunks are indexed, and the document marked ready, in one short
transaction at the end, which only the first worker to get there commits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import msgspec

from chatcore.documents.chunking import DEFAULT_OVERLAP, DEFAULT_SIZE, TextWindow, chunk_pages
from chatcore.documents.model import (
    Chunk,
    ChunkId,
    Document,
    ExtractionFailed,
    PageText,
    Vector,
)
from chatcore.documents.ports import BlobStore, Embedder, TextExtractor
from chatcore.errors import NotFound, Unavailable
from chatcore.events.model import DocumentFailed, DocumentReady
from chatcore.events.ports import EventBus
from chatcore.kernel import Clock, IdFactory
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.documents")

MAX_ERROR = 500
_CONTROLS = {c: None for c in (*range(32), 127) if chr(c) not in "\t\n\r\f"}


class IngestSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Chunk size and overlap in characters, and how many chunks go to the embedder
    in one call."""

    chunk_chars: int = DEFAULT_SIZE
    overlap_chars: int = DEFAULT_OVERLAP
    embed_batch: int = 64


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
    ) -> None:
        self._uow, self._blobs, self._extractors = uow, blobs, extractors
        self._embedder, self._events, self._clock, self._ids = embedder, events, clock, ids
        self._settings = settings or IngestSettings()

    async def __call__(self, document: Document) -> None:
        """Ingest the document; every failure is recorded on it, none raised."""
        try:
            pages, windows, vectors = await self._prepare(document)
        except ExtractionFailed as exc:
            await self._fail(document, exc.detail)
        except NotFound:
            await self._fail(document, "The stored file is missing; upload it again.")
        except Unavailable:
            await self._fail(
                document, "The embedding service is unavailable; upload the file again later."
            )
        except Exception:
            log.exception("Ingesting document %s failed", document.id)
            await self._fail(document, "The document could not be processed.")
        else:
            await self._finish(document, pages, windows, vectors)

    async def _prepare(self, document: Document) -> tuple[int, list[TextWindow], list[Vector]]:
        extractor = self._extractors.get(document.content_type)
        if extractor is None:
            raise ExtractionFailed(f"Files of type {document.content_type} cannot be read.")
        pages = await extractor.extract(await self._blobs.read(document.blob_key))
        pages = [PageText(page.number, _printable(page.text)) for page in pages]
        settings = self._settings
        # Chunking a long text takes a while; the event loop has other work.
        windows = await asyncio.to_thread(
            chunk_pages, pages, settings.chunk_chars, settings.overlap_chars
        )
        if not windows:
            raise ExtractionFailed("The file contains no text.")
        vectors: list[Vector] = []
        for batch in _batches(windows, settings.embed_batch):
            vectors.extend(await self._embedder.embed([w.text for w in batch]))
        return len(pages), windows, vectors

    async def _finish(
        self, document: Document, pages: int, windows: list[TextWindow], vectors: list[Vector]
    ) -> None:
        chunks = [
            Chunk(
                id=ChunkId(self._ids.new_id()),
                tenant_id=document.tenant_id,
                owner_id=document.owner_id,
                document_id=document.id,
                ordinal=ordinal,
                page=window.page,
                text=window.text,
                embedder=self._embedder.name,
                dimension=self._embedder.dimension,
            )
            for ordinal, window in enumerate(windows)
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
            ):
                await uow.chunks.add(document.tenant_id, chunks, vectors)
                await uow.commit()
            else:
                return  # deleted meanwhile, or finished by another worker
        await self._events.publish(
            document.tenant_id, document.owner_id, DocumentReady(document_id=document.id)
        )

    async def _fail(self, document: Document, error: str) -> None:
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
                return
        await self._events.publish(
            document.tenant_id,
            document.owner_id,
            DocumentFailed(document_id=document.id, error=error[:MAX_ERROR]),
        )


def _printable(text: str) -> str:
    """The text without control characters but whitespace ones (NUL cannot even be
    stored in Postgres text)."""
    return text.translate(_CONTROLS)


def _batches(windows: Sequence[TextWindow], size: int) -> list[Sequence[TextWindow]]:
    return [windows[i : i + size] for i in range(0, len(windows), size)]
