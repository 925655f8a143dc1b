"""A BlobStore in memory, for tests and library users without a disk."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator

from chatcore.errors import NotFound
from chatcore.kernel import StoredBlob


class MemoryBlobStore:
    """Files as bytes in a dict; ``files`` is there for tests to look at."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, key: str, content: AsyncIterable[bytes]) -> StoredBlob:
        data = bytearray()
        async for piece in content:  # an error here leaves nothing behind
            data += piece
        self.files[key] = bytes(data)
        return StoredBlob(len(data), hashlib.sha256(data).hexdigest())

    async def read(self, key: str) -> bytes:
        try:
            return self.files[key]
        except KeyError:
            raise NotFound("No such file.") from None

    async def open(self, key: str) -> AsyncIterator[bytes]:
        return _once(await self.read(key))

    async def delete(self, key: str) -> None:
        self.files.pop(key, None)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
