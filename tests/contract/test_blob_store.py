"""BlobStore: the public contract on memory and the local file system, then what only
the local store does."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory.blobs import MemoryBlobStore
from adapters.storage import LocalFileBlobStore
from chatcore.kernel import BlobStore
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
