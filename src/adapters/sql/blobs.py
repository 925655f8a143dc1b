"""A BlobStore in the database, for several machines that share it and no disk.

A file is a row of ``blobs`` and its bytes rows of ``blob_pieces``, ``PIECE`` bytes
each: no row holds a whole large file, and neither does memory while it is written
or streamed. Each piece is written in its own short transaction (a slow upload
must not hold SQLite's write lock, or a Postgres transaction, for its duration);
the file is marked complete in the last one, and only complete files are read, so
a reader never sees half a file. A failed write removes what it wrote; what a
crash left, an incomplete row idle for long, goes with ``remove_unfinished``.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.engine import READ_ONLY
from adapters.sql.tables import blob_pieces, blobs
from chatcore.errors import NotFound, Unavailable
from chatcore.kernel import StoredBlob

PIECE = 512 * 1024
_UNREACHABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, OSError)


class SqlBlobStore:
    """Files in the ``blobs`` tables, under ``store`` (one name per kind of file)."""

    def __init__(self, engine: AsyncEngine, store: str) -> None:
        self._engine, self._store = engine, store
        self._reader = engine.execution_options(**{READ_ONLY: True})

    async def put(self, key: str, content: AsyncIterable[bytes]) -> StoredBlob:
        await self._write(
            sa.insert(blobs).values(
                store=self._store, key=key, size=0, pieces=0, complete=False, updated_at=_now()
            )
        )
        digest, size, pieces = hashlib.sha256(), 0, 0
        try:
            async for piece in _even_pieces(content):
                digest.update(piece)
                await self._add_piece(key, pieces, piece)
                size, pieces = size + len(piece), pieces + 1
            sha256 = digest.hexdigest()
            await self._write(
                self._row(key).values(
                    size=size, pieces=pieces, sha256=sha256, complete=True, updated_at=_now()
                )
            )
        except BaseException:
            await self.delete(key)
            raise
        return StoredBlob(size, sha256)

    async def read(self, key: str) -> bytes:
        pieces = await self._pieces(key)
        return b"".join([piece async for piece in self._stream(key, pieces)])

    async def open(self, key: str) -> AsyncIterator[bytes]:
        return self._stream(key, await self._pieces(key))

    async def delete(self, key: str) -> None:
        await self._write(sa.delete(blobs).where(blobs.c.store == self._store, blobs.c.key == key))

    async def remove_unfinished(self, idle_since: datetime) -> int:
        """Remove files whose writing stopped (a crash) before ``idle_since``."""
        statement = sa.delete(blobs).where(
            blobs.c.store == self._store,
            blobs.c.complete.is_(False),
            blobs.c.updated_at < idle_since,
        )
        async with _connect(self._engine) as db:
            removed = (await db.execute(statement)).rowcount
            await db.commit()
        return removed

    async def _add_piece(self, key: str, ordinal: int, data: bytes) -> None:
        async with _connect(self._engine) as db:
            await db.execute(
                sa.insert(blob_pieces).values(
                    store=self._store, key=key, ordinal=ordinal, data=data
                )
            )
            # Touched with every piece: a write in flight is never taken for a leftover.
            await db.execute(self._row(key).values(updated_at=_now()))
            await db.commit()

    async def _pieces(self, key: str) -> int:
        """How many pieces the complete file has; raises NotFound."""
        statement = sa.select(blobs.c.pieces).where(
            blobs.c.store == self._store, blobs.c.key == key, blobs.c.complete.is_(True)
        )
        async with _connect(self._reader) as db:
            pieces: int | None = (await db.execute(statement)).scalar_one_or_none()
        if pieces is None:
            raise NotFound("No such file.")
        return pieces

    async def _stream(self, key: str, pieces: int) -> AsyncIterator[bytes]:
        for ordinal in range(pieces):
            statement = sa.select(blob_pieces.c.data).where(
                blob_pieces.c.store == self._store,
                blob_pieces.c.key == key,
                blob_pieces.c.ordinal == ordinal,
            )
            async with _connect(self._reader) as db:
                data = (await db.execute(statement)).scalar_one_or_none()
            if data is None:
                raise NotFound("The file was deleted while it was read.")
            yield bytes(data)

    def _row(self, key: str) -> sa.Update:
        return sa.update(blobs).where(blobs.c.store == self._store, blobs.c.key == key)

    async def _write(self, statement: sa.Executable) -> None:
        async with _connect(self._engine) as db:
            await db.execute(statement)
            await db.commit()


@asynccontextmanager
async def _connect(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection, with the database's failures as the core's ``Unavailable``."""
    try:
        async with engine.connect() as connection:
            yield connection
    except _UNREACHABLE as exc:
        raise Unavailable("database") from exc


async def _even_pieces(content: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """The content again, cut into pieces of ``PIECE`` bytes (the last one shorter)."""
    buffer = bytearray()
    async for part in content:
        buffer += part
        while len(buffer) >= PIECE:
            yield bytes(buffer[:PIECE])
            del buffer[:PIECE]
    if buffer:
        yield bytes(buffer)


def _now() -> datetime:
    return datetime.now(UTC)
