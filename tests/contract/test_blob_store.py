"""BlobStore: the public contract on memory and the local file system, then what only
the local store does."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from adapters.memory.blobs import MemoryBlobStore
from adapters.storage import LocalFileBlobStore
from chatcore.documents.ports import BlobStore
from chatcore.testing import BlobStoreContract
from chatcore.testing.blob_store import pieces


class TestBlobStore(BlobStoreContract):
    @pytest.fixture(params=["memory", "local"])
    def blob_store(self, request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
        if request.param == "memory":
            return MemoryBlobStore()
        return LocalFileBlobStore(tmp_path / "blobs")


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
