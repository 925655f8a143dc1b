"""A BlobStore on any S3-compatible object store, through obstore.

obstore (the Python face of the Rust ``object_store`` crate) is async, typed, and
streams both ways: an upload goes out as a multipart upload, piece by piece as the
client sends it, and a download comes back as a stream, so neither is ever whole
in memory. An upload is atomic (S3 shows an object only once its multipart upload
completes), so a failed one leaves nothing readable behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import BaseError, NotFoundError
from obstore.store import S3Store

from chatcore.errors import NotFound, Unavailable
from chatcore.kernel import StoredBlob

if TYPE_CHECKING:
    from obstore.store import S3Config

# S3's smallest part but the last; the chunk obstore buffers before sending a part.
PART = 5 * 1024 * 1024
READ_PIECE = 256 * 1024


class S3BlobStore:
    """Objects under ``prefix`` in an S3 bucket."""

    def __init__(self, store: S3Store) -> None:
        self._store = store

    @classmethod
    def connect(
        cls,
        bucket: str,
        prefix: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> S3BlobStore:
        """A store for ``bucket``/``prefix``; credentials come from the standard
        ``AWS_*`` variables, as every S3 tool reads them."""
        config: S3Config = {}
        if endpoint_url:
            config["endpoint"] = endpoint_url
        if region:
            config["region"] = region
        # Whatever ``config`` leaves out, obstore reads from the AWS_* variables.
        store = S3Store(
            bucket,
            prefix=prefix or None,
            config=config,
            client_options={"allow_http": bool(endpoint_url and endpoint_url.startswith("http:"))},
        )
        return cls(store)

    async def put(self, key: str, content: AsyncIterable[bytes]) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0

        async def hashed() -> AsyncIterator[bytes]:
            nonlocal size
            async for piece in content:
                digest.update(piece)
                size += len(piece)
                yield piece

        try:
            await obstore.put_async(self._store, key, hashed(), chunk_size=PART)
        except BaseError as exc:
            raise Unavailable("file storage") from exc
        return StoredBlob(size, digest.hexdigest())

    async def read(self, key: str) -> bytes:
        result = await self._get(key)
        try:
            return bytes(await result.bytes_async())
        except BaseError as exc:
            raise Unavailable("file storage") from exc

    async def open(self, key: str) -> AsyncIterator[bytes]:
        result = await self._get(key)
        return _pieces(result.stream(min_chunk_size=READ_PIECE))

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self._store, key)
        except NotFoundError:
            pass
        except BaseError as exc:
            raise Unavailable("file storage") from exc

    async def _get(self, key: str) -> obstore.GetResult:
        try:
            return await obstore.get_async(self._store, key)
        except (NotFoundError, FileNotFoundError):
            raise NotFound("No such file.") from None
        except BaseError as exc:
            raise Unavailable("file storage") from exc


async def _pieces(stream: obstore.BytesStream) -> AsyncIterator[bytes]:
    try:
        async for piece in stream:
            yield bytes(piece)
    except BaseError as exc:
        raise Unavailable("file storage") from exc
