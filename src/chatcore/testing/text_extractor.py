"""The TextExtractor contract: every page's text in order, numbered from 1, and any
bytes at all give either pages or ExtractionFailed with a reason for the owner."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence

import pytest

from chatcore.documents.model import ExtractionFailed, PageText, TextTooLong
from chatcore.documents.ports import TextExtractor

FileWriter = Callable[[Sequence[str]], bytes]
"""Writes page texts as a file of the kind the extractor reads."""

ROOMY = 1_000_000
"""A limit on characters that no file of these contracts comes near."""

LIGHTHOUSE = "The keeper of the Skarven lighthouse is Ingrid Holm.\nCafé au lait in Köln."
APPLES = "The first page talks about apples (and pears)."


def words(text: str) -> str:
    """The text with its whitespace collapsed: extractors may lay lines out anew."""
    return " ".join(text.split())


UNREADABLE = ("empty", "noise", "zeros", "truncated")
DAMAGES = (*UNREADABLE, "defaced")  # a lenient reader may still read a defaced file


def damaged(sample: bytes, damage: str) -> bytes:
    """Bytes no writer made: nothing, noise, zeros, or a good file cut short or with
    noise written over a stretch of it."""
    noise = hashlib.shake_256(b"noise").digest(4096)  # the same every run
    if damage == "truncated":
        return sample[: len(sample) // 2]
    if damage == "defaced":
        middle = len(sample) // 3
        return sample[:middle] + noise[:64] + sample[middle + 64 :]
    return {"empty": b"", "noise": noise, "zeros": b"\x00" * 1024}[damage]


class TextExtractorContract:
    """What every TextExtractor does, whatever kind of file it reads.

    Needs a fixture ``text_extractor`` and a fixture ``file_of`` returning a function
    that writes a list of page texts as a file the extractor reads (this contract
    writes one page at a time; ``chatcore.testing.files`` has ``minimal_pdf`` and
    ``plain_text``). A format with pages uses ``PagedTextExtractorContract``.
    """

    async def test_a_one_page_file_is_page_one_with_its_text(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        pages = await text_extractor.extract(file_of([LIGHTHOUSE]), ROOMY)
        assert len(pages) == 1
        assert isinstance(pages[0], PageText)
        assert pages[0].number == 1
        assert words(pages[0].text) == words(LIGHTHOUSE)

    async def test_any_bytes_give_pages_or_extraction_failed_with_a_reason(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        sample = file_of([LIGHTHOUSE])
        for content in (damaged(sample, damage) for damage in DAMAGES):
            try:
                pages = await text_extractor.extract(content, ROOMY)
            except ExtractionFailed as failure:  # anything else fails the test
                assert failure.detail.strip(), "the owner is told why"
            else:
                assert [page.number for page in pages] == list(range(1, len(pages) + 1))
                assert all(isinstance(page.text, str) for page in pages)

    async def test_the_same_file_gives_the_same_pages(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        content = file_of([LIGHTHOUSE])
        first = await text_extractor.extract(content, ROOMY)
        assert await text_extractor.extract(content, ROOMY) == first

    async def test_files_read_at_once_keep_their_own_text(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        texts = [f"Document number {n} is about item {n * 7}." for n in range(4)]
        results = await asyncio.gather(
            *(text_extractor.extract(file_of([text]), ROOMY) for text in texts)
        )
        assert [words(pages[0].text) for pages in results] == texts

    async def test_a_text_longer_than_the_limit_is_text_too_long(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        content = file_of([LIGHTHOUSE * 40])
        assert words((await text_extractor.extract(content, ROOMY))[0].text)
        with pytest.raises(TextTooLong) as failure:
            await text_extractor.extract(content, len(LIGHTHOUSE) * 20)
        assert failure.value.max_chars == len(LIGHTHOUSE) * 20
        assert failure.value.detail.strip(), "the owner is told why"


class PagedTextExtractorContract(TextExtractorContract):
    """What a TextExtractor for a format with pages (PDF and the like) does besides:
    pages keep their order and numbers, blank ones included, and a file that is empty,
    noise or cut short is ExtractionFailed.

    Needs the fixtures of ``TextExtractorContract``; ``file_of`` writes several pages.
    """

    async def test_pages_are_numbered_from_one_in_order_and_blank_ones_are_kept(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        written = [APPLES, "", LIGHTHOUSE, "Page four."]
        pages = await text_extractor.extract(file_of(written), ROOMY)
        assert [page.number for page in pages] == [1, 2, 3, 4]
        assert [words(page.text) for page in pages] == [words(text) for text in written]

    async def test_many_pages_are_all_read(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        written = [f"This is page {n}." for n in range(1, 41)]
        pages = await text_extractor.extract(file_of(written), ROOMY)
        assert [(page.number, words(page.text)) for page in pages] == list(
            enumerate(written, start=1)
        )

    async def test_pages_under_the_limit_each_but_over_it_together_are_text_too_long(
        self, text_extractor: TextExtractor, file_of: FileWriter
    ) -> None:
        content = file_of([LIGHTHOUSE * 10] * 4)
        with pytest.raises(TextTooLong):
            await text_extractor.extract(content, len(LIGHTHOUSE) * 25)

    @pytest.mark.parametrize("damage", UNREADABLE)
    async def test_an_unreadable_file_fails_with_a_reason(
        self, text_extractor: TextExtractor, file_of: FileWriter, damage: str
    ) -> None:
        with pytest.raises(ExtractionFailed) as failure:
            await text_extractor.extract(damaged(file_of([APPLES, LIGHTHOUSE]), damage), ROOMY)
        assert failure.value.detail.strip()
