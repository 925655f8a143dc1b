"""What the documents context needs from the outside world.

Repositories and the chunk index take the tenant and the owner from the verified
principal: another owner's document or chunk is simply not there. The few methods
that work across tenants serve background upkeep and say so.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from chatcore.documents.model import (
    Chunk,
    ChunkHit,
    Document,
    DocumentId,
    DocumentStatus,
    IngestOutcome,
    PageText,
    Vector,
)
from chatcore.kernel import TenantId
from chatcore.pagination import Page, PageRequest


class DocumentRepository(Protocol):
    """Stored documents, each visible to its owner only."""

    async def add(self, tenant_id: TenantId, document: Document) -> None:
        """Store a new document; raises Conflict if the owner has one with its sha256."""
        ...

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, document_id: DocumentId
    ) -> Document | None:
        """The document, or None if it is not this owner's."""
        ...

    async def find_by_sha256(
        self, tenant_id: TenantId, owner_id: uuid.UUID, sha256: str
    ) -> Document | None:
        """The owner's document with these bytes, if there is one."""
        ...

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Document]:
        """The owner's documents, newest first."""
        ...

    async def owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> builtins.list[Document]:
        """Every document of the owner."""
        ...

    async def set_status(
        self,
        tenant_id: TenantId,
        document_id: DocumentId,
        *,
        expected: DocumentStatus,
        status: DocumentStatus,
        at: datetime,
        pages: int = 0,
        chunks: int = 0,
        error: str | None = None,
        text_size: int = 0,
    ) -> bool:
        """Move the document from ``expected`` to ``status``; False if it is gone or
        no longer in ``expected`` (so two workers never both finish it)."""
        ...

    async def lock_storage(self, tenant_id: TenantId, owner_id: uuid.UUID) -> int:
        """The bytes the owner's documents take (``size`` plus ``text_size`` of each),
        with the owner's storage locked until the transaction ends, so that checks
        against a quota queue, one transaction after another."""
        ...

    async def delete(
        self, tenant_id: TenantId, owner_id: uuid.UUID, document_id: DocumentId
    ) -> bool:
        """Delete the document and its chunks; False if it is not this owner's."""
        ...

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete every document of the owner, with their chunks and storage lock."""
        ...

    async def processing(self, limit: int) -> builtins.list[Document]:
        """Up to ``limit`` documents still being ingested, across every tenant."""
        ...


class ChunkIndex(Protocol):
    """Chunks with their embeddings, searchable by vector and by keywords. Searches
    see only chunks of the owner's documents that are ready."""

    async def add(
        self, tenant_id: TenantId, chunks: Sequence[Chunk], vectors: Sequence[Vector]
    ) -> None:
        """Index chunks of this tenant with their vectors (one each, same order)."""
        ...

    async def stale(self, embedder: str, limit: int) -> list[Chunk]:
        """Up to ``limit`` chunks embedded by another embedder than ``embedder``,
        across every tenant."""
        ...

    async def set_vectors(
        self,
        tenant_id: TenantId,
        chunks: Sequence[Chunk],
        vectors: Sequence[Vector],
        embedder: str,
    ) -> None:
        """Give chunks of this tenant new vectors (one each, same order) by ``embedder``."""
        ...

    async def search_vector(
        self,
        tenant_id: TenantId,
        owner_id: uuid.UUID,
        vector: Vector,
        embedder: str,
        k: int,
    ) -> list[ChunkHit]:
        """The ``k`` chunks embedded by ``embedder`` nearest to ``vector``, by cosine
        similarity (the score), best first."""
        ...

    async def search_keywords(
        self, tenant_id: TenantId, owner_id: uuid.UUID, terms: Sequence[str], k: int
    ) -> list[ChunkHit]:
        """The ``k`` chunks that best match any of ``terms`` (lower-case words), best
        first; the score is the engine's own relevance."""
        ...


class TextExtractor(Protocol):
    """Reads the text of one kind of file."""

    async def extract(self, content: bytes, max_chars: int) -> list[PageText]:
        """Every page's text, in order; raises TextTooLong as soon as the text passes
        ``max_chars`` characters, and ExtractionFailed with a reason fit for the
        file's owner when it cannot be read."""
        ...


class Embedder(Protocol):
    """Turns texts into vectors for similarity search."""

    @property
    def name(self) -> str:
        """What made the vectors; vectors of different names are never compared."""
        ...

    @property
    def dimension(self) -> int:
        """The length of every vector."""
        ...

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        """One vector per text, same order; raises Unavailable."""
        ...


class IngestionMeter(Protocol):
    """Watches the background ingestions for an operator: how many are in flight
    (waiting or running) and how each ended."""

    def submitted(self) -> None:
        """An ingestion was handed to the worker."""
        ...

    def ended(self, outcome: IngestOutcome) -> None:
        """An ingestion handed over earlier ended so."""
        ...
