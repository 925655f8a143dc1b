"""Small real PDFs for tests, generated with fpdf2 (and one decompression bomb)."""

from __future__ import annotations

import zlib

from fpdf import FPDF

from chatcore.testing.files import pdf_file


def make_pdf(pages: list[str], *, password: str | None = None) -> bytes:
    """A PDF with one page per text (an empty text leaves its page blank)."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    if password is not None:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A page with a drawing and no text, as a scan without OCR has."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def flate_bomb(decompressed_bytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``decompressed_bytes``."""
    stream = zlib.compress(b"0 0 m " * (decompressed_bytes // 6), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(stream), stream),
    ]
    return pdf_file(objects)


def text_bomb(chars: int, *, line: int = 100) -> bytes:
    """A one-page PDF of a few KB whose one deflated content stream shows ``chars``
    characters of text, a line of ``line`` at a time."""
    shown = b"(" + b"a" * (line - 1) + b" ) Tj T* "
    content = b"BT /F1 12 Tf 72 720 Td 14 TL " + shown * (chars // line) + b"ET"
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_file(objects)
