"""Documents and their chunk index in SQL."""

from __future__ import annotations

import builtins
import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from adapters.sql import chunk_dialects
from adapters.sql.conflict import insert_or_conflict
from adapters.sql.dialect import upsert
from adapters.sql.tables import document_chunks, documents, storage_locks
from chatcore.documents.model import (
    Chunk,
    ChunkHit,
    ChunkId,
    Document,
    DocumentId,
    DocumentStatus,
    Vector,
)
from chatcore.kernel import TenantId
from chatcore.pagination import Page, PageRequest, Position, page_of


class SqlDocumentRepository:
    """A DocumentRepository on the ``documents`` table (chunks follow by cascade)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, document: Document) -> None:
        _check_tenant(tenant_id, document.tenant_id)
        await insert_or_conflict(
            self._db,
            documents.insert().values(
                id=document.id,
                tenant_id=tenant_id,
                owner_id=document.owner_id,
                filename=document.filename,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                blob_key=document.blob_key,
                status=document.status,
                pages=document.pages,
                chunks=document.chunks,
                error=document.error,
                created_at=document.created_at,
                updated_at=document.updated_at,
                text_size=document.text_size,
            ),
            "The owner already has a document with these bytes.",
        )

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, document_id: DocumentId
    ) -> Document | None:
        return await self._one(_owned(tenant_id, owner_id), documents.c.id == document_id)

    async def find_by_sha256(
        self, tenant_id: TenantId, owner_id: uuid.UUID, sha256: str
    ) -> Document | None:
        return await self._one(_owned(tenant_id, owner_id), documents.c.sha256 == sha256)

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Document]:
        query = (
            documents.select()
            .where(_owned(tenant_id, owner_id))
            .order_by(documents.c.created_at.desc(), documents.c.id.desc())
        )
        if page.after is not None:
            query = query.where(
                sa.tuple_(documents.c.created_at, documents.c.id) < (page.after.at, page.after.id)
            )
        rows = (await self._db.execute(query.limit(page.limit + 1))).all()
        return page_of(
            [_document(r) for r in rows], page.limit, lambda d: Position(d.created_at, d.id)
        )

    async def owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> builtins.list[Document]:
        rows = await self._db.execute(documents.select().where(_owned(tenant_id, owner_id)))
        return [_document(r) for r in rows]

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
        result = await self._db.execute(
            documents.update()
            .where(
                documents.c.tenant_id == tenant_id,
                documents.c.id == document_id,
                documents.c.status == expected,
            )
            .values(
                status=status,
                updated_at=at,
                pages=pages,
                chunks=chunks,
                error=error,
                text_size=text_size,
            )
        )
        return result.rowcount > 0

    async def lock_storage(self, tenant_id: TenantId, owner_id: uuid.UUID) -> int:
        # The lock row is written (inserted, or updated to itself), which locks it on
        # Postgres; SQLite runs write transactions one at a time anyway. The sum is a
        # later statement, so under READ COMMITTED it sees what the previous holder
        # of the lock committed.
        key = {"tenant_id": tenant_id, "owner_id": owner_id}
        await self._db.execute(_storage_lock(self._db.dialect), key)
        used = sa.select(
            sa.func.coalesce(sa.func.sum(documents.c.size + documents.c.text_size), 0)
        ).where(_owned(tenant_id, owner_id))
        return int((await self._db.execute(used)).scalar_one())

    async def delete(
        self, tenant_id: TenantId, owner_id: uuid.UUID, document_id: DocumentId
    ) -> bool:
        result = await self._db.execute(
            documents.delete().where(_owned(tenant_id, owner_id), documents.c.id == document_id)
        )
        return result.rowcount > 0

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        # The lock row first: quota checks take it before any document row, and so
        # must this, or the two could wait on each other.
        await self._db.execute(
            storage_locks.delete().where(
                storage_locks.c.tenant_id == tenant_id, storage_locks.c.owner_id == owner_id
            )
        )
        await self._db.execute(documents.delete().where(_owned(tenant_id, owner_id)))

    async def processing(self, limit: int) -> builtins.list[Document]:
        rows = await self._db.execute(
            documents.select()
            .where(documents.c.status == "processing")
            .order_by(documents.c.created_at, documents.c.id)
            .limit(limit)
        )
        return [_document(r) for r in rows]

    async def _one(self, *where: sa.ColumnElement[bool]) -> Document | None:
        row = (await self._db.execute(documents.select().where(*where))).first()
        return _document(row) if row else None


class SqlChunkIndex:
    """A ChunkIndex on the ``document_chunks`` table; the search queries of each
    backend are in ``adapters.sql.chunk_dialects``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(
        self, tenant_id: TenantId, chunks: Sequence[Chunk], vectors: Sequence[Vector]
    ) -> None:
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        if not chunks:
            return
        rows = []
        for chunk, vector in zip(chunks, vectors, strict=True):
            _check_tenant(tenant_id, chunk.tenant_id)
            rows.append(
                {
                    "id": chunk.id,
                    "tenant_id": tenant_id,
                    "owner_id": chunk.owner_id,
                    "document_id": chunk.document_id,
                    "ordinal": chunk.ordinal,
                    "page": chunk.page,
                    "text": chunk.text,
                    "embedder": chunk.embedder,
                    "dimension": chunk.dimension,
                    "embedding": chunk_dialects.stored_vector(self._db, vector),
                }
            )
        await self._db.execute(document_chunks.insert(), rows)

    async def stale(self, embedder: str, limit: int) -> list[Chunk]:
        rows = await self._db.execute(
            sa.select(*_CHUNK_COLUMNS)
            .where(document_chunks.c.embedder != embedder)
            .order_by(document_chunks.c.seq)
            .limit(limit)
        )
        return [_chunk(row) for row in rows]

    async def set_vectors(
        self,
        tenant_id: TenantId,
        chunks: Sequence[Chunk],
        vectors: Sequence[Vector],
        embedder: str,
    ) -> None:
        if not chunks:
            return
        statement = (
            document_chunks.update()
            .where(
                document_chunks.c.tenant_id == tenant_id,
                document_chunks.c.id == sa.bindparam("chunk_id"),
            )
            .values(
                embedding=sa.bindparam("vector"),
                embedder=embedder,
                dimension=sa.bindparam("size"),
            )
        )
        await self._db.execute(
            statement,
            [
                {
                    "chunk_id": chunk.id,
                    "vector": chunk_dialects.stored_vector(self._db, vector),
                    "size": len(vector),
                }
                for chunk, vector in zip(chunks, vectors, strict=True)
            ],
        )

    async def search_vector(
        self,
        tenant_id: TenantId,
        owner_id: uuid.UUID,
        vector: Vector,
        embedder: str,
        k: int,
    ) -> list[ChunkHit]:
        return await chunk_dialects.search_vector(
            self._db, tenant_id, owner_id, vector, embedder, k
        )

    async def search_keywords(
        self, tenant_id: TenantId, owner_id: uuid.UUID, terms: Sequence[str], k: int
    ) -> list[ChunkHit]:
        return await chunk_dialects.search_keywords(self._db, tenant_id, owner_id, terms, k)


_CHUNK_COLUMNS = (
    document_chunks.c.id,
    document_chunks.c.tenant_id,
    document_chunks.c.owner_id,
    document_chunks.c.document_id,
    document_chunks.c.ordinal,
    document_chunks.c.page,
    document_chunks.c.text,
    document_chunks.c.embedder,
    document_chunks.c.dimension,
)


def _chunk(row: Any) -> Chunk:
    return Chunk(
        id=ChunkId(row.id),
        tenant_id=TenantId(row.tenant_id),
        owner_id=row.owner_id,
        document_id=DocumentId(row.document_id),
        ordinal=row.ordinal,
        page=row.page,
        text=row.text,
        embedder=row.embedder,
        dimension=row.dimension,
    )


def _owned(tenant_id: TenantId, owner_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return sa.and_(documents.c.tenant_id == tenant_id, documents.c.owner_id == owner_id)


@functools.cache
def _storage_lock(dialect: Dialect) -> Insert:
    """Insert the owner's lock row, or on conflict update it to itself: either way it
    exists and is locked."""
    insert = upsert(dialect, storage_locks)
    return insert.on_conflict_do_update(
        index_elements=["tenant_id", "owner_id"], set_={"owner_id": storage_locks.c.owner_id}
    )


def _document(row: sa.Row[Any]) -> Document:
    return Document(
        id=DocumentId(row.id),
        tenant_id=TenantId(row.tenant_id),
        owner_id=row.owner_id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        blob_key=row.blob_key,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        pages=row.pages,
        chunks=row.chunks,
        error=row.error,
        text_size=row.text_size,
    )


def _check_tenant(tenant_id: TenantId, row_tenant_id: TenantId) -> None:
    if row_tenant_id != tenant_id:
        raise ValueError("a row of another tenant")
