"""The public contract harness catches toy adapters that each break one rule."""

from __future__ import annotations

from collections.abc import AsyncIterable

import pytest

from adapters.embed import LocalEmbedder
from adapters.extract import PlainTextExtractor
from adapters.memory import MemoryDatabase
from adapters.memory.blobs import MemoryBlobStore
from adapters.memory.documents import CHUNKS, DOCUMENTS, MemoryChunkIndex
from chatcore.documents.model import PageText
from chatcore.kernel import StoredBlob
from chatcore.profile.ports import ImageKind, NormalizedImage
from chatcore.testing import (
    BlobStoreContract,
    ChunkIndexContract,
    ImageNormalizerContract,
    TextExtractorContract,
    png_samples,
)
from chatcore.testing.files import image_size, plain_text


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
            entry for entry in self._tables[CHUNKS].values()
            if entry.chunk.tenant_id == tenant_id
            and (document := self._tables[DOCUMENTS].get(entry.chunk.document_id)) is not None
            and document.status == "ready"
        ]  # fmt: skip

    monkeypatch.setattr(MemoryChunkIndex, "_searchable", tenant_wide)
    with pytest.raises(AssertionError):
        await ChunkIndexContract().test_owners_and_tenants_never_see_each_others_chunks(
            MemoryDatabase().unit_of_work, LocalEmbedder()
        )


class ZeroBasedTextExtractor(PlainTextExtractor):
    """Breaks the contract: numbers pages from 0."""

    async def extract(self, content: bytes, max_chars: int) -> list[PageText]:
        pages = await super().extract(content, max_chars)
        return [PageText(page.number - 1, page.text) for page in pages]


class StrictUtf8TextExtractor:
    """Breaks the contract: lets the codec's UnicodeDecodeError out."""

    async def extract(self, content: bytes, max_chars: int) -> list[PageText]:
        return [PageText(1, content.decode("utf-8"))]


async def test_an_extractor_that_numbers_pages_from_zero_is_caught() -> None:
    with pytest.raises(AssertionError):
        await TextExtractorContract().test_a_one_page_file_is_page_one_with_its_text(
            ZeroBasedTextExtractor(), plain_text
        )


async def test_an_extractor_that_leaks_a_library_error_is_caught() -> None:
    contract = TextExtractorContract()
    await contract.test_a_one_page_file_is_page_one_with_its_text(  # readable text is fine
        StrictUtf8TextExtractor(), plain_text
    )
    with pytest.raises(UnicodeDecodeError):
        await contract.test_any_bytes_give_pages_or_extraction_failed_with_a_reason(
            StrictUtf8TextExtractor(), plain_text
        )


class PassThroughImageNormalizer:
    """Breaks the contract: hands the upload back as it came, metadata and all."""

    async def normalize(
        self, data: bytes, kind: ImageKind, max_side: int, max_pixels: int
    ) -> NormalizedImage:
        width, height = image_size(data)
        return NormalizedImage(data=data, kind=kind, width=width, height=height)


async def test_a_normalizer_that_keeps_the_metadata_is_caught() -> None:
    with pytest.raises(AssertionError):
        await ImageNormalizerContract().test_metadata_does_not_survive(
            PassThroughImageNormalizer(), png_samples()
        )
