"""A minimal PDF writer for the ingestion scenario: text pages in Helvetica, nothing
else — enough for any extractor, with no dependency."""

from __future__ import annotations

import random

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
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
