"""The BlobStore contract: put, read, open and delete under generated keys."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

import pytest

from chatcore.errors import NotFound
from chatcore.kernel import BlobStore


async def pieces(*parts: bytes, fail_after: int | None = None) -> AsyncIterator[bytes]:
    """The parts as an upload stream that raises instead of yielding part ``fail_after``."""
    for index, part in enumerate(parts):
        if index == fail_after:
            raise RuntimeError("the client went away")
        yield part


class BlobStoreContract:
    """What every BlobStore does.

    Needs a fixture ``blob_store`` returning an empty store (parametrize it to run
    several adapters, e.g. ``params=["memory", "local"]``).
    """

    async def test_a_stored_file_reads_back_whole_and_in_pieces(
        self, blob_store: BlobStore
    ) -> None:
        key, data = uuid.uuid4().hex, b"".join(bytes([n % 251]) * 1000 for n in range(600))
        stored = await blob_store.put(key, pieces(data[:1000], data[1000:]))

        assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert await blob_store.read(key) == data
        assert b"".join([piece async for piece in await blob_store.open(key)]) == data

    async def test_a_deleted_or_unknown_file_is_not_found(self, blob_store: BlobStore) -> None:
        key = uuid.uuid4().hex
        await blob_store.put(key, pieces(b"x"))
        await blob_store.delete(key)
        await blob_store.delete(key)  # twice is fine
        with pytest.raises(NotFound):
            await blob_store.read(key)
        with pytest.raises(NotFound):
            await blob_store.open(uuid.uuid4().hex)

    async def test_a_failing_stream_leaves_nothing_behind(self, blob_store: BlobStore) -> None:
        key = uuid.uuid4().hex
        with pytest.raises(RuntimeError):
            await blob_store.put(key, pieces(b"a" * 100, b"b" * 100, fail_after=1))
        with pytest.raises(NotFound):
            await blob_store.read(key)
