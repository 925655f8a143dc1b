"""A BlobStore on the local file system.

Writes go to a temporary file beside the target and are renamed into place once
complete and synced, so a reader never sees half a file and a failed upload leaves
nothing; what a crash leaves is removed by ``remove_unfinished``. Every file
operation runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from chatcore.errors import NotFound
from chatcore.kernel import StoredBlob

READ_PIECE = 256 * 1024
_KEY = re.compile(r"[0-9a-f]{32}")
_PART_SUFFIX = ".part"
_PART_GLOB = f".*{_PART_SUFFIX}"


class LocalFileBlobStore:
    """Files under ``root``, at ``root/<first two characters of the key>/<key>``."""

    def __init__(self, root: str | Path) -> None:
        self._root = Path(root)

    async def put(self, key: str, content: AsyncIterable[bytes]) -> StoredBlob:
        target = self._path(key)
        temporary = target.with_name(f".{key}.{secrets.token_hex(4)}{_PART_SUFFIX}")
        file = await asyncio.to_thread(_create, temporary)
        digest, size = hashlib.sha256(), 0
        try:
            async for piece in content:
                await asyncio.to_thread(_write, file, digest, piece)
                size += len(piece)
            await asyncio.to_thread(_complete, file, temporary, target)
        except BaseException:
            await asyncio.to_thread(_discard, file, temporary)
            raise
        return StoredBlob(size, digest.hexdigest())

    async def read(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise NotFound("No such file.") from None

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            file = await asyncio.to_thread(self._path(key).open, "rb")
        except FileNotFoundError:
            raise NotFound("No such file.") from None
        return _pieces(file)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def remove_unfinished(self, idle_since: datetime) -> int:
        """Remove temporary files (a crash's leftovers) last written before ``idle_since``."""
        return await asyncio.to_thread(_remove_stale_parts, self._root, idle_since.timestamp())

    def _path(self, key: str) -> Path:
        # Keys are generated, never a client's; checking keeps a path out all the same.
        if not _KEY.fullmatch(key):
            raise ValueError("not a blob key")
        return self._root / key[:2] / key


async def _pieces(file: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while piece := await asyncio.to_thread(file.read, READ_PIECE):
            yield piece
    finally:
        await asyncio.to_thread(file.close)


def _create(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("xb")


def _write(file: BinaryIO, digest: hashlib._Hash, piece: bytes) -> None:
    file.write(piece)
    digest.update(piece)


def _complete(file: BinaryIO, temporary: Path, target: Path) -> None:
    file.flush()
    os.fsync(file.fileno())
    file.close()
    os.replace(temporary, target)


def _remove_stale_parts(root: Path, written_before: float) -> int:
    removed = 0
    for part in root.glob(f"*/{_PART_GLOB}"):
        # Another process may sweep the same file at the same moment.
        with contextlib.suppress(FileNotFoundError):
            if part.stat().st_mtime < written_before:
                part.unlink()
                removed += 1
    return removed


def _discard(file: BinaryIO, temporary: Path) -> None:
    file.close()
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
