"""Documents and their chunk index kept in memory."""

from __future__ import annotations

import builtins
import math
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec

from adapters.memory.tables import Table, Tables
from chatcore.documents.model import (
    Chunk,
    ChunkHit,
    ChunkId,
    Document,
    DocumentId,
    DocumentStatus,
    Vector,
)
from chatcore.errors import Conflict
from chatcore.kernel import TenantId
from chatcore.pagination import Page, PageRequest, Position, page_of

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class IndexedChunk:
    """A chunk and its vector, as the chunk index keeps them."""

    chunk: Chunk
    vector: tuple[float, ...]


DOCUMENTS: Table[DocumentId, Document] = Table("documents")
CHUNKS: Table[ChunkId, IndexedChunk] = Table("chunks")


class MemoryDocumentRepository:
    """A DocumentRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._rows = tables[DOCUMENTS]

    async def add(self, tenant_id: TenantId, document: Document) -> None:
        _check_tenant(tenant_id, document.tenant_id)
        if await self.find_by_sha256(tenant_id, document.owner_id, document.sha256):
            raise Conflict("The owner already has a document with these bytes.")
        self._rows[document.id] = document

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, document_id: DocumentId
    ) -> Document | None:
        document = self._rows.get(document_id)
        if document is None or (document.tenant_id, document.owner_id) != (tenant_id, owner_id):
            return None
        return document

    async def find_by_sha256(
        self, tenant_id: TenantId, owner_id: uuid.UUID, sha256: str
    ) -> Document | None:
        return next((d for d in await self.owned(tenant_id, owner_id) if d.sha256 == sha256), None)

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Document]:
        rows = sorted(await self.owned(tenant_id, owner_id), key=_position, reverse=True)
        if page.after is not None:
            after = (page.after.at, page.after.id)
            rows = [d for d in rows if _position(d) < after]
        return page_of(rows[: page.limit + 1], page.limit, lambda d: Position(*_position(d)))

    async def owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> builtins.list[Document]:
        return [
            d for d in self._rows.values() if (d.tenant_id, d.owner_id) == (tenant_id, owner_id)
        ]

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
        document = self._rows.get(document_id)
        if document is None or document.tenant_id != tenant_id or document.status != expected:
            return False
        self._rows[document_id] = msgspec.structs.replace(
            document,
            status=status,
            updated_at=at,
            pages=pages,
            chunks=chunks,
            error=error,
            text_size=text_size,
        )
        return True

    async def lock_storage(self, tenant_id: TenantId, owner_id: uuid.UUID) -> int:
        # Units of work run one at a time: the owner's storage is locked already.
        return sum(d.size + d.text_size for d in await self.owned(tenant_id, owner_id))

    async def delete(
        self, tenant_id: TenantId, owner_id: uuid.UUID, document_id: DocumentId
    ) -> bool:
        if await self.get(tenant_id, owner_id, document_id) is None:
            return False
        self._delete({document_id})
        return True

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        self._delete({d.id for d in await self.owned(tenant_id, owner_id)})

    async def processing(self, limit: int) -> builtins.list[Document]:
        waiting = [d for d in self._rows.values() if d.status == "processing"]
        return sorted(waiting, key=lambda d: (d.created_at, d.id))[:limit]

    def _delete(self, document_ids: set[DocumentId]) -> None:
        # Chunks go with their document, as ON DELETE CASCADE does in SQL.
        chunks = self._tables[CHUNKS]
        for chunk_id in [c for c, e in chunks.items() if e.chunk.document_id in document_ids]:
            del chunks[chunk_id]
        for document_id in document_ids:
            del self._rows[document_id]


class MemoryChunkIndex:
    """A ChunkIndex over in-memory tables: exact cosine similarity, and a BM25 score
    over lower-case words."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(
        self, tenant_id: TenantId, chunks: Sequence[Chunk], vectors: Sequence[Vector]
    ) -> None:
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        for chunk, vector in zip(chunks, vectors, strict=True):
            _check_tenant(tenant_id, chunk.tenant_id)
            self._tables[CHUNKS][chunk.id] = IndexedChunk(chunk, tuple(vector))

    async def stale(self, embedder: str, limit: int) -> builtins.list[Chunk]:
        entries = sorted(self._tables[CHUNKS].values(), key=lambda e: e.chunk.id)
        return [e.chunk for e in entries if e.chunk.embedder != embedder][:limit]

    async def set_vectors(
        self,
        tenant_id: TenantId,
        chunks: Sequence[Chunk],
        vectors: Sequence[Vector],
        embedder: str,
    ) -> None:
        for chunk, vector in zip(chunks, vectors, strict=True):
            entry = self._tables[CHUNKS].get(chunk.id)
            if entry is None or entry.chunk.tenant_id != tenant_id:
                continue
            renewed = msgspec.structs.replace(entry.chunk, embedder=embedder, dimension=len(vector))
            self._tables[CHUNKS][chunk.id] = IndexedChunk(renewed, tuple(vector))

    async def search_vector(
        self,
        tenant_id: TenantId,
        owner_id: uuid.UUID,
        vector: Vector,
        embedder: str,
        k: int,
    ) -> builtins.list[ChunkHit]:
        query = tuple(vector)
        scored = [
            (_cosine(query, entry.vector), entry)
            for entry in self._searchable(tenant_id, owner_id)
            if entry.chunk.embedder == embedder and len(entry.vector) == len(query)
        ]
        return self._best(scored, k)

    async def search_keywords(
        self, tenant_id: TenantId, owner_id: uuid.UUID, terms: Sequence[str], k: int
    ) -> builtins.list[ChunkHit]:
        entries = self._searchable(tenant_id, owner_id)
        counts = [Counter(_WORD.findall(e.chunk.text.lower())) for e in entries]
        if not counts:
            return []
        average = sum(sum(c.values()) for c in counts) / len(counts)
        idf = {t: _idf(len(counts), sum(1 for c in counts if t in c)) for t in set(terms)}
        scored = []
        for entry, count in zip(entries, counts, strict=True):
            length = sum(count.values())
            score = sum(
                idf[t] * count[t] * 2.2 / (count[t] + 1.2 * (0.25 + 0.75 * length / average))
                for t in idf
                if t in count
            )
            if score > 0:
                scored.append((score, entry))
        return self._best(scored, k)

    def _searchable(self, tenant_id: TenantId, owner_id: uuid.UUID) -> builtins.list[IndexedChunk]:
        documents = self._tables[DOCUMENTS]
        return [
            entry
            for entry in self._tables[CHUNKS].values()
            if (entry.chunk.tenant_id, entry.chunk.owner_id) == (tenant_id, owner_id)
            and (document := documents.get(entry.chunk.document_id)) is not None
            and document.status == "ready"
        ]

    def _best(
        self, scored: builtins.list[tuple[float, IndexedChunk]], k: int
    ) -> builtins.list[ChunkHit]:
        scored.sort(key=lambda pair: (-pair[0], pair[1].chunk.document_id, pair[1].chunk.ordinal))
        documents = self._tables[DOCUMENTS]
        return [
            ChunkHit(
                chunk_id=entry.chunk.id,
                document_id=entry.chunk.document_id,
                filename=documents[entry.chunk.document_id].filename,
                page=entry.chunk.page,
                text=entry.chunk.text,
                score=score,
            )
            for score, entry in scored[:k]
        ]


def _cosine(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norms if norms else 0.0


def _idf(documents: int, containing: int) -> float:
    return math.log(1 + (documents - containing + 0.5) / (containing + 0.5))


def _position(document: Document) -> tuple[datetime, uuid.UUID]:
    return (document.created_at, document.id)


def _check_tenant(tenant_id: TenantId, row_tenant_id: TenantId) -> None:
    if row_tenant_id != tenant_id:
        raise ValueError("a row of another tenant")
