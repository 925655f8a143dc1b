"""TextExtractor: the public contract on the PDF, Word, web page and plain-text
extractors, then what only each does (real files, hostile ones, limits, encodings)."""

from __future__ import annotations

import io

import docx
import pytest

from adapters.extract import (
    DocxTextExtractor,
    HtmlTextExtractor,
    PlainTextExtractor,
    PypdfTextExtractor,
)
from chatcore.documents.model import ExtractionFailed, PageText, TextTooLong
from chatcore.documents.ports import TextExtractor
from chatcore.testing import PagedTextExtractorContract, TextExtractorContract
from chatcore.testing.files import minimal_pdf, plain_text
from chatcore.testing.text_extractor import ROOMY, FileWriter
from tests.support.office import docx_bomb, docx_file, html_file, zip_of
from tests.support.pdfs import flate_bomb, image_only_pdf, make_pdf, text_bomb


class TestPdfExtractor(PagedTextExtractorContract):
    @pytest.fixture
    def text_extractor(self) -> TextExtractor:
        return PypdfTextExtractor()

    @pytest.fixture
    def file_of(self) -> FileWriter:
        return minimal_pdf


class TestPlainTextExtractor(TextExtractorContract):
    @pytest.fixture
    def text_extractor(self) -> TextExtractor:
        return PlainTextExtractor()

    @pytest.fixture
    def file_of(self) -> FileWriter:
        return plain_text


# What only the PDF extractor does.


async def test_a_pdf_from_another_writer_is_read_with_its_blank_page() -> None:
    pdf = make_pdf(
        [
            "The first page talks about apples.",
            "",
            "The third page says the lighthouse keeper is called Ingrid Holm.",
        ]
    )
    pages = await PypdfTextExtractor().extract(pdf, ROOMY)

    assert [p.number for p in pages] == [1, 2, 3]
    assert "apples" in pages[0].text
    assert pages[1].text.strip() == ""
    assert "Ingrid Holm" in pages[2].text


@pytest.mark.parametrize(
    ("pdf", "reason"),
    [
        (make_pdf(["Secret plans."], password="hunter2"), "password-protected"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog broken", "damaged"),
        (make_pdf(["A good start."])[:300], "damaged"),
        (image_only_pdf(), "no text"),
    ],
    ids=["encrypted", "garbage", "truncated", "image-only"],
)
async def test_unreadable_pdfs_fail_with_a_clear_reason(pdf: bytes, reason: str) -> None:
    with pytest.raises(ExtractionFailed) as failure:
        await PypdfTextExtractor().extract(pdf, ROOMY)
    assert reason in failure.value.detail


async def test_a_pdf_readable_with_an_empty_password_is_read() -> None:
    pages = await PypdfTextExtractor().extract(make_pdf(["Open to all."], password=""), ROOMY)
    assert "Open to all." in pages[0].text


async def test_a_decompression_bomb_fails_and_the_reader_stays_bounded() -> None:
    extractor = PypdfTextExtractor(max_stream_bytes=1024 * 1024)
    with pytest.raises(ExtractionFailed) as failure:
        await extractor.extract(flate_bomb(50 * 1024 * 1024), ROOMY)
    assert "too large" in failure.value.detail


async def test_a_text_bomb_stops_being_read_once_past_the_limit() -> None:
    # A few KB deflating to a million characters of text on one page: reading stops
    # inside that page, long before its text is all there.
    bomb = text_bomb(1_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(TextTooLong) as failure:
        await PypdfTextExtractor().extract(bomb, 50_000)
    assert failure.value.detail == "The document has more than 50,000 characters of text."


async def test_too_many_pages_fail() -> None:
    with pytest.raises(ExtractionFailed) as failure:
        await PypdfTextExtractor(max_pages=2).extract(make_pdf(["a", "b", "c"]), ROOMY)
    assert "more than 2 pages" in failure.value.detail


async def test_a_reader_past_its_time_limit_is_stopped() -> None:
    extractor = PypdfTextExtractor(time_limit=0.01)
    with pytest.raises(ExtractionFailed) as failure:
        await extractor.extract(make_pdf(["Slow enough: a process takes longer to start."]), ROOMY)
    assert "too long" in failure.value.detail


# What only the plain-text extractor does.


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Grüße aus Köln\r\nZeile zwei".encode(), "Grüße aus Köln\nZeile zwei"),
        ("\ufeffmit BOM".encode(), "mit BOM"),
        ("UTF-16 text".encode("utf-16"), "UTF-16 text"),
        ("Café “smart” quotes".encode("cp1252"), "Café “smart” quotes"),
        (b"\x81\x8d odd bytes", "\x81\x8d odd bytes"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "cp1252", "latin-1"],
)
async def test_plain_text_is_one_page_in_whatever_encoding(data: bytes, text: str) -> None:
    assert await PlainTextExtractor().extract(data, ROOMY) == [PageText(1, text)]


class TestDocxExtractor(TextExtractorContract):
    @pytest.fixture
    def text_extractor(self) -> TextExtractor:
        return DocxTextExtractor()

    @pytest.fixture
    def file_of(self) -> FileWriter:
        return docx_file


class TestHtmlExtractor(TextExtractorContract):
    @pytest.fixture
    def text_extractor(self) -> TextExtractor:
        return HtmlTextExtractor()

    @pytest.fixture
    def file_of(self) -> FileWriter:
        return html_file


# What only the Word and web page extractors do.


async def test_word_headings_are_kept_as_markdown_headings_and_tables_as_rows() -> None:
    document = docx.Document()
    document.add_heading("Field guide", level=0)
    document.add_heading("Puffins", level=1)
    document.add_paragraph("They nest in burrows.")
    document.add_heading("Diet", level=2)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Sand eels", "most days"
    out = io.BytesIO()
    document.save(out)

    (page,) = await DocxTextExtractor().extract(out.getvalue(), ROOMY)

    assert page.text == (
        "# Field guide\n\n# Puffins\n\nThey nest in burrows.\n\n## Diet\n\nSand eels | most days"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (docx_bomb(300 * 1024 * 1024), "too large once unzipped"),
        (b"PK\x03\x04 not really a zip", "damaged"),
        (zip_of({"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"}), "not a Word"),
        (docx_file([""]), "no text"),
    ],
    ids=["zip-bomb", "broken-zip", "no-document-part", "empty"],
)
async def test_unreadable_word_documents_fail_with_a_clear_reason(
    content: bytes, reason: str
) -> None:
    with pytest.raises(ExtractionFailed) as failure:
        await DocxTextExtractor(max_unzipped_bytes=64 * 1024 * 1024).extract(content, ROOMY)
    assert reason in failure.value.detail


async def test_a_web_page_gives_its_main_text_and_headings_without_scripts_or_chrome() -> None:
    page = (
        b"<!doctype html><html><head><style>.x { color: red }</style></head><body>"
        b"<header>Site name</header><nav>Home | About</nav>"
        b"<main><h1>Puffins</h1><p>They nest in <b>burrows</b>.</p>"
        b"<script>alert('no')</script><h2>Diet</h2><ul><li>Sand eels</li><li>Sprats</li></ul>"
        b"</main><aside>Related posts</aside><footer>Copyright</footer></body></html>"
    )
    (text,) = await HtmlTextExtractor().extract(page, ROOMY)

    assert text.text == "# Puffins\n\nThey nest in burrows.\n\n## Diet\n\nSand eels\n\nSprats"


async def test_a_web_page_in_a_declared_legacy_encoding_is_read() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body><p>Café “au lait”</p>'
    (text,) = await HtmlTextExtractor().extract(page.encode("cp1252"), ROOMY)
    assert text.text == "Café “au lait”"


async def test_a_web_page_of_100_mb_of_script_fails_within_its_limits() -> None:
    script = b"<html><body><script>" + b"var a = 1;\n" * (10 * 1024 * 1024) + b"</script>"
    extractor = HtmlTextExtractor(memory_bytes=512 * 1024 * 1024, time_limit=30)
    with pytest.raises(ExtractionFailed) as failure:
        await extractor.extract(script + b"</body></html>", ROOMY)
    # Past the memory cap the parser gives up; under it, the script is dropped and
    # no text is left: either way the document fails, and the server stays bounded.
    assert failure.value.detail.startswith("The web page")


async def test_a_web_page_reader_past_its_time_limit_is_stopped() -> None:
    with pytest.raises(ExtractionFailed) as failure:
        await HtmlTextExtractor(time_limit=0.01).extract(html_file(["Slow enough."]), ROOMY)
    assert "too long" in failure.value.detail
