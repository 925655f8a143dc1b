"""The public contract harness: the README's example runs as written, and a toy adapter
that breaks a rule is caught."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import AsyncIterable
from pathlib import Path

import pytest

from adapters.embed import LocalEmbedder
from adapters.memory import MemoryDatabase
from adapters.memory.blobs import MemoryBlobStore
from adapters.memory.documents import MemoryChunkIndex
from chatcore.documents.model import StoredBlob
from chatcore.testing import BlobStoreContract, ChunkIndexContract

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    section = README.read_text().split("## Testing your own adapter", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the section has a Python example"
    return match.group(1)


def test_the_readme_example_runs_the_whole_suite(tmp_path: Path) -> None:
    (tmp_path / "test_my_blob_store.py").write_text(readme_example())
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-o", "asyncio_mode=auto", "test_my_blob_store.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    collected = len([name for name in dir(BlobStoreContract) if name.startswith("test_")])
    assert f"{collected} passed" in run.stdout


class UndeletableBlobStore(MemoryBlobStore):
    """Breaks the contract: delete() forgets to delete."""

    async def delete(self, key: str) -> None:
        return None


class HalfStoringBlobStore(MemoryBlobStore):
    """Breaks the contract: keeps what arrived before the upload failed."""

    async def put(self, key: str, content: AsyncIterable[bytes]) -> StoredBlob:
        received: list[bytes] = []

        async def recording() -> AsyncIterable[bytes]:
            async for piece in content:
                received.append(piece)
                yield piece

        try:
            return await super().put(key, recording())
        except RuntimeError:
            await super().put(key, _once(b"".join(received)))
            raise


async def _once(data: bytes) -> AsyncIterable[bytes]:
    yield data


async def test_a_store_that_does_not_delete_is_caught() -> None:
    with pytest.raises(pytest.fail.Exception):
        await BlobStoreContract().test_a_deleted_or_unknown_file_is_not_found(
            UndeletableBlobStore()
        )


async def test_a_store_that_keeps_half_an_upload_is_caught() -> None:
    with pytest.raises(pytest.fail.Exception):
        await BlobStoreContract().test_a_failing_stream_leaves_nothing_behind(
            HalfStoringBlobStore()
        )


async def test_a_chunk_index_that_leaks_across_owners_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def tenant_wide(self: MemoryChunkIndex, tenant_id, owner_id):  # type: ignore[no-untyped-def]
        # The bug: filters by tenant and forgets the owner.
        return [
            entry for entry in self._tables.chunks.values()
            if entry.chunk.tenant_id == tenant_id
            and (document := self._tables.documents.get(entry.chunk.document_id)) is not None
            and document.status == "ready"
        ]  # fmt: skip

    monkeypatch.setattr(MemoryChunkIndex, "_searchable", tenant_wide)
    with pytest.raises(AssertionError):
        await ChunkIndexContract().test_owners_and_tenants_never_see_each_others_chunks(
            MemoryDatabase().unit_of_work, LocalEmbedder()
        )
