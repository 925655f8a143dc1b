"""Wire an adapter of your own into chatcore: documents' files kept by an S3-style
blob store, here backed by a local folder laid out as ``<bucket>/ab/cd/<key>``.

    python examples/custom_blob_store.py [ROOT]

Any class with the methods of the ``chatcore.BlobStore`` port will do (it need not
inherit from it); ``container.adapters.document_store.override(...)`` puts it in place of
the default store before the system starts. The script then uploads a document,
waits until it is ingested and reads its bytes back through chatcore.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import secrets
import sys
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from dependency_injector import providers

from chatcore import BlobStore, NotFound, StoredBlob
from http_shell.container import Container, chatcore_system
from http_shell.settings import load_settings

READ_PIECE = 256 * 1024
_KEY = re.compile(r"[0-9a-f]{32}")  # chatcore generates keys: 32 hex digits


class BucketFolderBlobStore:
    """A BlobStore that keeps each object at ``root/bucket/ab/cd/<key>``, as an S3
    bucket with prefixes would; written to a temporary object, then renamed, so a
    reader never sees half a file."""

    def __init__(self, root: str | Path, bucket: str) -> None:
        self.bucket = Path(root) / bucket

    def path_of(self, key: str) -> Path:
        """Where the object ``key`` lives; raises ValueError for a key chatcore
        would never generate (so no key can name a path outside the bucket)."""
        if not _KEY.fullmatch(key):
            raise ValueError("not a blob key")
        return self.bucket / key[:2] / key[2:4] / key

    async def put(self, key: str, content: AsyncIterable[bytes]) -> StoredBlob:
        target = self.path_of(key)
        partial = target.with_name(f".{key}.{secrets.token_hex(4)}.part")
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        file = await asyncio.to_thread(partial.open, "xb")
        try:
            async for piece in content:
                await asyncio.to_thread(file.write, piece)
                digest.update(piece)
                size += len(piece)
            await asyncio.to_thread(file.flush)
            await asyncio.to_thread(os.fsync, file.fileno())
            file.close()
            await asyncio.to_thread(os.replace, partial, target)
        except BaseException:
            file.close()
            await asyncio.to_thread(partial.unlink, missing_ok=True)
            raise
        return StoredBlob(size, digest.hexdigest())

    async def read(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self.path_of(key).read_bytes)
        except FileNotFoundError:
            raise NotFound("No such file.") from None

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            file = await asyncio.to_thread(self.path_of(key).open, "rb")
        except FileNotFoundError:
            raise NotFound("No such file.") from None

        async def pieces() -> AsyncIterator[bytes]:
            try:
                while piece := await asyncio.to_thread(file.read, READ_PIECE):
                    yield piece
            finally:
                file.close()

        return pieces()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)


async def one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def demo(root: Path) -> int:
    """Upload a document through the custom store and read it back; the exit status."""
    store = BucketFolderBlobStore(root, "documents")
    checked: BlobStore = store  # a type checker confirms here that the class fits the port

    def use_bucket_store(container: Container) -> None:
        container.adapters.document_store.override(providers.Object(checked))

    text = b"Puffins nest in burrows on grassy cliffs and eat small fish.\n"
    settings = load_settings()
    async with chatcore_system(settings, configure=use_bucket_store) as system:
        tenant = await system.find_tenant()(settings.default_tenant)
        credential = await system.create_anonymous_session()(tenant, "custom-store/1.0")
        principal = await system.resolve_principal()(credential.access_token, None)

        upload = await system.upload_document()(principal, "puffins.txt", one(text))
        await system.job_worker().work_until_idle()
        document, content = await system.get_document_file()(principal, upload.document.id)
        read_back = b"".join([piece async for piece in content])

    where = store.path_of(document.blob_key)
    print(f"stored   {document.filename} at {where.relative_to(root)}")
    print(f"status   {document.status}, {document.chunks} chunk(s)")
    print(f"read     {len(read_back)} bytes, {'the same' if read_back == text else 'DIFFERENT'}")
    return 0 if read_back == text and where.is_file() and document.status == "ready" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "root", type=Path, nargs="?", default=Path("data/bucket-store"),
        help="the folder that holds the buckets (default: data/bucket-store)",
    )  # fmt: skip
    return asyncio.run(demo(parser.parse_args().root))


if __name__ == "__main__":
    sys.exit(main())
