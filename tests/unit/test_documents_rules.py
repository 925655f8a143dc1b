"""Rules of the documents context: type from bytes, display filenames, keywords, fusion."""

from __future__ import annotations

import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatcore.documents.intake import clean_filename, sniff_content_type
from chatcore.documents.model import DOCX, ChunkHit, ChunkId, DocumentId
from chatcore.documents.use_cases.search import fuse, keywords


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b"\r\n%PDF-1.4 junk first", "application/pdf"),
        (b"Plain words.\nMore words.", "text/plain"),
        ("Grüße, “quotes”".encode(), "text/plain"),
        ("Grüße".encode()[:-1], "text/plain"),  # a sample cut inside a character
        ("Café".encode("cp1252"), "text/plain"),
        ("text".encode("utf-16"), "text/plain"),
        (b"# Heading\n\nBody text.", "text/markdown"),
        (b"See [the docs](https://example.test).", "text/markdown"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),
        (b"PK\x03\x04\x14\x00", None),  # a zip that is not a Word document
        (b"PK\x03\x04\x14\x00[Content_Types].xml\x00word/document.xml", DOCX),
        (b"<!DOCTYPE html>\n<html><body><p>Hi</p>", "text/html"),
        (b"\xef\xbb\xbf <!-- saved page --> <HTML lang=en>", "text/html"),
        (b"<body>\n<p>A body only.</p>", "text/html"),
        (b"Text that mentions <html> later on.", "text/plain"),
        (b"text with a NUL\x00 inside", None),
        (b"\x7fELF\x02\x01", None),
    ],
)
def test_the_type_is_judged_from_the_bytes(head: bytes, expected: str | None) -> None:
    assert sniff_content_type(head) == expected


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\secret plan.pdf", "secret plan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\x1fc\x7f.txt", "abc.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("  spaced \t out  .md", "spaced out .md"),
        ("..", "document"),
        ("", "document"),
        (None, "document"),
        ("x" * 300 + ".txt", "x" * 255),
    ],
)
def test_filenames_are_cleaned(given_name: str | None, expected: str) -> None:
    assert clean_filename(given_name) == expected


@given(st.text())
def test_any_filename_becomes_safe_display_text(name: str) -> None:
    cleaned = clean_filename(name)
    assert 1 <= len(cleaned) <= 255
    assert "/" not in cleaned and "\\" not in cleaned
    assert not any(unicodedata.category(c).startswith("C") for c in cleaned)


def test_keywords_drop_stop_words_unless_nothing_else_is_left() -> None:
    assert keywords("Who is the keeper of the Skarven light in 1998?") == [
        "who",
        "keeper",
        "skarven",
        "light",
        "1998",
    ]
    assert keywords("Is it this?") == ["is", "it", "this"]
    # Words that carry a question's meaning stay, however common.
    assert keywords("How much time off, in the same orbit?") == [
        "how",
        "much",
        "time",
        "off",
        "same",
        "orbit",
    ]


def test_fusion_favours_what_both_rankings_agree_on() -> None:
    a, b, c = hit("a"), hit("b"), hit("c")
    fused = fuse([([a, b], 1.0), ([b, c], 1.0)], 3)
    assert [h.text for h in fused] == ["b", "a", "c"]
    assert fuse([([a], 1.0), ([a], 1.0)], 1)[0].score == 1.0
    assert all(0 < h.score < 1 for h in fused)


def test_a_light_ranking_only_nudges_a_heavy_one() -> None:
    heavy = [hit(str(rank)) for rank in range(1, 11)]
    last, extra = heavy[-1], hit("extra")
    nudged = fuse([(heavy, 1.0), ([last, extra], 0.05)], 11)
    # Its first choice moves up a little, not over the heavy ranking's top; what the
    # heavy ranking lacks comes after everything it has.
    order = [h.text for h in nudged]
    assert order[:5] == ["1", "2", "3", "4", "5"]
    assert order.index("10") < 9 and order[-1] == "extra"
    evenly = fuse([(heavy, 1.0), ([last, extra], 1.0)], 11)
    assert evenly[0].text == "10"


def hit(text: str) -> ChunkHit:
    return ChunkHit(
        chunk_id=ChunkId(uuid.uuid4()),
        document_id=DocumentId(uuid.uuid4()),
        filename="f.txt",
        page=1,
        text=text,
        score=0.5,
    )
