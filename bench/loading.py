"""Writing a synthetic corpus into chatcore's tables: SQLite through SQLAlchemy Core
with chatcore's own table definitions; Postgres by COPY, with its vector indexes
dropped during the load and built once afterwards (as a bulk import would)."""

from __future__ import annotations

import asyncio
import time
import uuid

import sqlalchemy as sa

from bench.corpus import Corpus, chunk_rows, documents


def load_sqlite(url: str, corpus: Corpus, tenant: uuid.UUID, owner: uuid.UUID) -> float:
    """Insert the corpus; the seconds the insert took (SQLite has no vector index)."""
    from adapters.sql.tables import document_chunks
    from adapters.sql.tables import documents as documents_table

    engine = sa.create_engine(url.replace("+aiosqlite", ""))
    started = time.perf_counter()
    try:
        with engine.begin() as connection:
            docs = documents(corpus, tenant, owner)
            connection.execute(documents_table.insert(), docs)
            rows = chunk_rows(corpus, tenant, owner, [doc["id"] for doc in docs])
            for row in rows:
                row["embedding"] = row["embedding"].tobytes()
            connection.execute(document_chunks.insert(), rows)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def load_postgres(url: str, corpus: Corpus, tenant: uuid.UUID, owner: uuid.UUID) -> float:
    """Replace every chunk with the corpus; the seconds the vector indexes took to build."""
    return asyncio.run(_load_postgres(url, corpus, tenant, owner))


async def _load_postgres(url: str, corpus: Corpus, tenant: uuid.UUID, owner: uuid.UUID) -> float:
    import asyncpg
    from pgvector.asyncpg import register_vector

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await register_vector(connection)
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'document_chunks' AND indexdef ILIKE '%USING hnsw%'"
        )
        # Only the benchmark's rows live in this database.
        await connection.execute("TRUNCATE documents CASCADE")
        for index in indexes:
            await connection.execute(f'DROP INDEX "{index["indexname"]}"')
        docs = documents(corpus, tenant, owner)
        await connection.copy_records_to_table(
            "documents", columns=list(docs[0]), records=[tuple(d.values()) for d in docs]
        )
        rows = chunk_rows(corpus, tenant, owner, [doc["id"] for doc in docs])
        await connection.copy_records_to_table(
            "document_chunks", columns=list(rows[0]), records=[tuple(r.values()) for r in rows]
        )
        await connection.execute("SET maintenance_work_mem = '1GB'")
        started = time.perf_counter()
        for index in indexes:
            await connection.execute(index["indexdef"])
        built = time.perf_counter() - started
        await connection.execute("ANALYZE documents")
        await connection.execute("ANALYZE document_chunks")
        return built
    finally:
        await connection.close()
