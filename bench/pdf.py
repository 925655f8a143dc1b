"""A minimal PDF writer for the ingestion scenario: uncompressed text pages in
Helvetica, nothing else — enough for any extractor (the file structure is the test
harness's ``pdf_file``)."""

from __future__ import annotations

import random

from chatcore.testing.files import pdf_file

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "den", "mar", "sol", "ter"]
LINES_PER_PAGE = 45
WORDS_PER_LINE = 11


def text_pages(count: int, seed: int) -> list[list[str]]:
    """``count`` pages of prose-like lines; a different seed gives different bytes."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(_SYLLABLES, k=rng.randint(1, 4))) for _ in range(3000)]
    return [
        [f"Page {page + 1}."]
        + [
            " ".join(rng.choices(words, k=WORDS_PER_LINE)).capitalize() + "."
            for _ in range(LINES_PER_PAGE)
        ]
        for page in range(count)
    ]


def document(pages: list[list[str]]) -> bytes:
    """A PDF with one page per entry of ``pages``, each a list of lines."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, lines in enumerate(pages):
        shown = " ".join(f"({_escape(line)}) Tj T*" for line in lines)
        content = f"BT /F1 10 Tf 14 TL 48 800 Td {shown} ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content))
    return pdf_file(objects)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
