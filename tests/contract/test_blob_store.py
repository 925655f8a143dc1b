"""BlobStore: the same behaviour in memory and on the local file system."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.memory.blobs import MemoryBlobStore
from adapters.storage import LocalFileBlobStore
from chatcore.documents.ports import BlobStore
from chatcore.errors import NotFound


@pytest.fixture(params=["memory", "local"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "memory":
        return MemoryBlobStore()
    return LocalFileBlobStore(tmp_path / "blobs")


async def pieces(*parts: bytes, fail_after: int | None = None) -> AsyncIterator[bytes]:
    for index, part in enumerate(parts):
        if index == fail_after:
            raise RuntimeError("the client went away")
        yield part


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


async def test_a_stored_file_reads_back_whole_and_in_pieces(blobs: BlobStore) -> None:
    key, data = uuid.uuid4().hex, b"".join(bytes([n % 251]) * 1000 for n in range(600))
    stored = await blobs.put(key, pieces(data[:1000], data[1000:]))

    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert await blobs.read(key) == data
    assert b"".join([piece async for piece in await blobs.open(key)]) == data


async def test_a_deleted_or_unknown_file_is_not_found(blobs: BlobStore) -> None:
    key = uuid.uuid4().hex
    await blobs.put(key, pieces(b"x"))
    await blobs.delete(key)
    await blobs.delete(key)  # twice is fine
    with pytest.raises(NotFound):
        await blobs.read(key)
    with pytest.raises(NotFound):
        await blobs.open(uuid.uuid4().hex)


async def test_a_failing_stream_leaves_nothing_behind(blobs: BlobStore, tmp_path: Path) -> None:
    key = uuid.uuid4().hex
    with pytest.raises(RuntimeError):
        await blobs.put(key, pieces(b"a" * 100, b"b" * 100, fail_after=1))
    with pytest.raises(NotFound):
        await blobs.read(key)
    assert files_under(tmp_path) == []


async def test_local_files_live_under_generated_names_only(tmp_path: Path) -> None:
    blobs = LocalFileBlobStore(tmp_path)
    key = uuid.uuid4().hex
    await blobs.put(key, pieces(b"data"))
    assert files_under(tmp_path) == [tmp_path / key[:2] / key]
    for bad in ("../../etc/passwd", "ABC", key + "/x"):
        with pytest.raises(ValueError):
            await blobs.read(bad)
