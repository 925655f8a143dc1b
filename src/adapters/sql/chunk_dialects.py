"""Where SQLite and Postgres differ for the chunk index: how a vector is stored, and
how chunks are searched by vector and by keywords.

Postgres searches with pgvector's cosine distance (HNSW-indexed for the dimensions
migration 0004 indexes) and ``ts_rank_cd`` over a generated ``tsvector``. SQLite has
no vector index: the owner's vectors are read and compared exactly with numpy, off
the event loop; keywords are ranked by FTS5's BM25.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from pgvector.sqlalchemy import VECTOR
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.dialect import is_postgres
from adapters.sql.tables import document_chunks as chunks
from adapters.sql.tables import documents
from chatcore.documents.model import ChunkHit, ChunkId, DocumentId, Vector
from chatcore.kernel import TenantId

_HIT_COLUMNS = (
    chunks.c.id,
    chunks.c.document_id,
    documents.c.filename,
    chunks.c.page,
    chunks.c.text,
)
_FTS = sa.table("document_chunks_fts", sa.column("rowid", sa.Integer))
_FTS_NAME: sa.ColumnElement[Any] = sa.literal_column("document_chunks_fts")
_TSVECTOR: sa.ColumnElement[Any] = sa.literal_column("document_chunks.search_vector")
_SIMPLE: sa.ColumnElement[Any] = sa.literal_column("'simple'::regconfig")
_EF_SEARCH = 100


def stored_vector(connection: AsyncConnection, vector: Vector) -> Any:
    """A vector as the backend's ``embedding`` column takes it."""
    array = np.asarray(vector, dtype=np.float32)
    return array if is_postgres(connection.dialect) else array.tobytes()


async def search_vector(
    connection: AsyncConnection,
    tenant_id: TenantId,
    owner_id: uuid.UUID,
    vector: Vector,
    embedder: str,
    k: int,
) -> list[ChunkHit]:
    """The ``k`` nearest chunks by cosine similarity, best first."""
    query = np.asarray(vector, dtype=np.float32)
    # The dimension is written into the statement, so that a cached generic plan can
    # still match the partial index of that dimension.
    dimension: sa.BindParameter[int] = sa.bindparam(
        "dimension", len(query), type_=sa.Integer, literal_execute=True
    )
    where = (
        *_searchable(tenant_id, owner_id),
        chunks.c.embedder == embedder,
        chunks.c.dimension == dimension,
    )
    if is_postgres(connection.dialect):
        # Same expression as the partial HNSW indexes, so the planner can use them;
        # iterative scans keep filtering by owner from starving the result, and a
        # wider candidate list than pgvector's default of 40 buys recall (`make bench`,
        # scenario 5) for a fraction of a millisecond.
        await connection.exec_driver_sql("SET LOCAL hnsw.iterative_scan = strict_order")
        await connection.exec_driver_sql(f"SET LOCAL hnsw.ef_search = {_EF_SEARCH}")
        distance = sa.cast(chunks.c.embedding, VECTOR(len(query))).cosine_distance(query)
        statement = (
            sa.select(*_HIT_COLUMNS, (1 - distance).label("score"))
            .select_from(_joined())
            .where(*where)
            .order_by(distance, chunks.c.seq)
            .limit(k)
        )
        return _hits(await connection.execute(statement))
    rows = (
        await connection.execute(
            sa.select(chunks.c.seq, chunks.c.embedding).select_from(_joined()).where(*where)
        )
    ).all()
    best = await asyncio.to_thread(_nearest, query, rows, k)
    if not best:
        return []
    found = {
        row.seq: row
        for row in await connection.execute(
            sa.select(chunks.c.seq, *_HIT_COLUMNS)
            .select_from(_joined())
            .where(chunks.c.seq.in_([seq for seq, _ in best]))
        )
    }
    return [_hit(found[seq], score) for seq, score in best]


async def search_keywords(
    connection: AsyncConnection,
    tenant_id: TenantId,
    owner_id: uuid.UUID,
    terms: Sequence[str],
    k: int,
) -> list[ChunkHit]:
    """The ``k`` chunks that best match any of the terms, best first."""
    if not terms:
        return []
    if is_postgres(connection.dialect):
        # Any term may match: the OR of one plain query per term, each a bound value.
        query: sa.ColumnElement[Any] = sa.func.plainto_tsquery(_SIMPLE, terms[0])
        for term in terms[1:]:
            query = query.op("||")(sa.func.plainto_tsquery(_SIMPLE, term))
        rank = sa.func.ts_rank_cd(_TSVECTOR, query)
        statement = (
            sa.select(*_HIT_COLUMNS, rank.label("score"))
            .select_from(_joined())
            .where(*_searchable(tenant_id, owner_id), _TSVECTOR.op("@@")(query))
            .order_by(rank.desc(), chunks.c.seq)
            .limit(k)
        )
        return _hits(await connection.execute(statement))
    match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
    bm25 = sa.func.bm25(_FTS_NAME)  # lower is better
    statement = (
        sa.select(*_HIT_COLUMNS, (-bm25).label("score"))
        .select_from(
            _FTS.join(chunks, chunks.c.seq == _FTS.c.rowid).join(
                documents, documents.c.id == chunks.c.document_id
            )
        )
        .where(*_searchable(tenant_id, owner_id), _FTS_NAME.op("MATCH")(match))
        .order_by(bm25, chunks.c.seq)
        .limit(k)
    )
    return _hits(await connection.execute(statement))


def _nearest(query: np.ndarray, rows: Sequence[Any], k: int) -> list[tuple[int, float]]:
    """The ``k`` best (seq, cosine similarity) pairs, best first."""
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(row.embedding for row in rows), dtype=np.float32)
    matrix = matrix.reshape(len(rows), len(query))
    norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
    scores = matrix @ query / np.where(norms == 0, 1.0, norms)
    order = np.lexsort((np.array([row.seq for row in rows]), -scores))[:k]
    return [(int(rows[i].seq), float(scores[i])) for i in order]


def _joined() -> sa.Join:
    return chunks.join(documents, documents.c.id == chunks.c.document_id)


def _searchable(tenant_id: TenantId, owner_id: uuid.UUID) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        chunks.c.tenant_id == tenant_id,
        chunks.c.owner_id == owner_id,
        documents.c.status == "ready",
    )


def _hits(result: sa.CursorResult[Any]) -> list[ChunkHit]:
    return [_hit(row, float(row.score)) for row in result]


def _hit(row: Any, score: float) -> ChunkHit:
    return ChunkHit(
        chunk_id=ChunkId(row.id),
        document_id=DocumentId(row.document_id),
        filename=row.filename,
        page=row.page,
        text=row.text,
        score=score,
    )
