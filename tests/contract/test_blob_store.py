"""BlobStore: the public contract on memory, the local file system, the database
(SQLite, Postgres) and S3 (moto on loopback), then what only some stores do."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory.blobs import MemoryBlobStore
from adapters.sql.blobs import PIECE, SqlBlobStore
from adapters.sql.tables import blob_pieces
from adapters.sql.tables import blobs as blob_rows
from adapters.storage import LocalFileBlobStore, S3BlobStore
from adapters.storage.s3 import PART as S3_PART
from chatcore.errors import NotFound
from chatcore.kernel import BlobStore
from chatcore.testing import BlobStoreContract
from chatcore.testing.blob_store import pieces
from tests.support.s3_server import S3Server


class TestBlobStore(BlobStoreContract):
    @pytest.fixture(params=["memory", "local", "sqlite", "postgres", "s3"])
    def blob_store(self, request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
        if request.param == "memory":
            return MemoryBlobStore()
        if request.param == "local":
            return LocalFileBlobStore(tmp_path / "blobs")
        if request.param == "s3":
            server: S3Server = request.getfixturevalue("s3_server")
            return S3BlobStore(server.store(server.new_bucket(), "files"))
        return SqlBlobStore(request.getfixturevalue(f"{request.param}_engine"), "documents")


# What only the local store does.


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


async def test_a_failing_stream_leaves_no_local_file_behind(tmp_path: Path) -> None:
    blobs = LocalFileBlobStore(tmp_path / "blobs")
    with pytest.raises(RuntimeError):
        await blobs.put(uuid.uuid4().hex, pieces(b"a" * 100, b"b" * 100, fail_after=1))
    assert files_under(tmp_path) == []


async def test_local_files_live_under_generated_names_only(tmp_path: Path) -> None:
    blobs = LocalFileBlobStore(tmp_path)
    key = uuid.uuid4().hex
    await blobs.put(key, pieces(b"data"))
    assert files_under(tmp_path) == [tmp_path / key[:2] / key]
    for bad in ("../../etc/passwd", "ABC", key + "/x"):
        with pytest.raises(ValueError):
            await blobs.read(bad)


def leftover_of_a_crash(root: Path, written: float) -> Path:
    """The temporary file of a write that never finished, last written at ``written``."""
    key = uuid.uuid4().hex
    part = root / key[:2] / f".{key}.0badc0de.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"half a file")
    os.utime(part, (written, written))
    return part


async def test_only_long_idle_leftovers_of_interrupted_writes_are_removed(tmp_path: Path) -> None:
    blobs = LocalFileBlobStore(tmp_path)
    now = datetime.now(UTC)
    stale = leftover_of_a_crash(tmp_path, (now - timedelta(hours=2)).timestamp())
    in_flight = leftover_of_a_crash(tmp_path, now.timestamp())
    key = uuid.uuid4().hex
    await blobs.put(key, pieces(b"data"))
    os.utime(tmp_path / key[:2] / key, (0, 0))  # a finished file, however old, stays

    assert await blobs.remove_unfinished(now - timedelta(hours=1)) == 1
    assert sorted(files_under(tmp_path)) == sorted([in_flight, tmp_path / key[:2] / key])
    assert not stale.exists()
    assert await LocalFileBlobStore(tmp_path / "never-written").remove_unfinished(now) == 0


# What only the database store does: pieces, and the leftovers of a crash.


async def test_a_database_file_is_kept_in_pieces_none_larger_than_one(
    sqlite_engine: AsyncEngine,
) -> None:
    blobs = SqlBlobStore(sqlite_engine, "documents")
    key, data = uuid.uuid4().hex, bytes(range(256)) * 5000  # 1.28 MB, sent in odd parts
    await blobs.put(key, pieces(*(data[i : i + 70_001] for i in range(0, len(data), 70_001))))
    async with sqlite_engine.connect() as db:
        sizes = (
            await db.execute(
                sa.select(sa.func.length(blob_pieces.c.data)).order_by(blob_pieces.c.ordinal)
            )
        ).scalars()
        assert list(sizes) == [PIECE, PIECE, len(data) - 2 * PIECE]
    assert b"".join([piece async for piece in await blobs.open(key)]) == data


async def test_database_stores_of_different_names_keep_apart(sqlite_engine: AsyncEngine) -> None:
    documents = SqlBlobStore(sqlite_engine, "documents")
    key = uuid.uuid4().hex
    await documents.put(key, pieces(b"a document"))
    with pytest.raises(NotFound):
        await SqlBlobStore(sqlite_engine, "avatars").read(key)


async def test_only_long_idle_unfinished_database_files_are_removed(
    postgres_engine: AsyncEngine,
) -> None:
    blobs = SqlBlobStore(postgres_engine, "documents")
    now = datetime.now(UTC)
    stale, in_flight, finished = (uuid.uuid4().hex for _ in range(3))
    await blobs.put(finished, pieces(b"done"))
    async with postgres_engine.begin() as db:
        for key, at in ((stale, now - timedelta(hours=2)), (in_flight, now)):
            await db.execute(
                sa.insert(blob_rows).values(
                    store="documents", key=key, size=0, pieces=0, complete=False, updated_at=at
                )
            )
            await db.execute(
                sa.insert(blob_pieces).values(store="documents", key=key, ordinal=0, data=b"x")
            )
        finished_long_ago = sa.update(blob_rows).where(blob_rows.c.key == finished)
        await db.execute(finished_long_ago.values(updated_at=now - timedelta(days=9)))

    assert await blobs.remove_unfinished(now - timedelta(hours=1)) == 1
    async with postgres_engine.connect() as db:
        left = set((await db.execute(sa.select(blob_rows.c.key))).scalars())
        assert left == {in_flight, finished}
        assert await db.scalar(sa.select(sa.func.count()).select_from(blob_pieces)) == 2
    assert await blobs.read(finished) == b"done"


# What only the S3 store does: a file larger than one part goes up in several.


async def test_a_file_of_several_s3_parts_reads_back(s3_server: S3Server) -> None:
    blobs = S3BlobStore(s3_server.store(s3_server.new_bucket(), "files"))
    key, data = uuid.uuid4().hex, bytes(range(256)) * (S3_PART // 256 * 2 + 3)
    stored = await blobs.put(
        key, pieces(*(data[i : i + 65_536] for i in range(0, len(data), 65_536)))
    )
    assert stored.size == len(data)
    assert b"".join([piece async for piece in await blobs.open(key)]) == data
