"""The child process of ``DocxTextExtractor``: a DOCX on stdin, its text as JSON on
stdout, headings marked the Markdown way (``## Heading 2``) so that they become the
context of the chunks under them. Run as ``python -m adapters.extract.docx_worker``.

A zip bomb is refused before anything is inflated: the parts' declared sizes must
add up to less than the cap, and Python's zipfile never inflates a part past its
declared size. The child's memory and CPU caps bound whatever else goes wrong.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from adapters.extract.child import WorkerLimits, WorkerResult, serve

DAMAGED = "The Word document is damaged and cannot be read."
MAX_PARTS = 10_000
_HEADING_STYLE = re.compile(r"^Heading ([1-6])$")


class _TextTooLong(Exception):
    """The text passed the characters a document may have."""


def extract(data: bytes, limits: WorkerLimits) -> WorkerResult:
    """The document's text as one page, or the reason there is none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if "word/document.xml" not in archive.namelist():
                return WorkerResult(error="The file is not a Word document.")
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > limits.max_stream_bytes:
                return WorkerResult(error="The Word document is too large once unzipped.")
        text = "\n\n".join(_blocks(docx.Document(io.BytesIO(data)), limits.max_text_chars))
    except _TextTooLong:
        return WorkerResult(text_too_long=True)
    except MemoryError:
        return WorkerResult(error="The Word document is too large once unzipped.")
    except Exception:
        # zipfile, lxml and python-docx meet broken files with all kinds of errors.
        return WorkerResult(error=DAMAGED)
    if not text.strip():
        return WorkerResult(error="The Word document has no text.")
    return WorkerResult(pages=[text])


def _blocks(document: docx.document.Document, max_chars: int) -> Iterator[str]:
    """Each paragraph (a heading marked with #) and each table row, in order."""
    total = 0
    for item in document.iter_inner_content():
        for block in _paragraph(item) if isinstance(item, Paragraph) else _rows(item):
            total += len(block) + 2
            if total > max_chars:
                raise _TextTooLong
            yield block


def _paragraph(paragraph: Paragraph) -> list[str]:
    text = paragraph.text.strip()
    if not text:
        return []
    style = paragraph.style.name if paragraph.style is not None else ""
    if style == "Title":
        return [f"# {text}"]
    heading = _HEADING_STYLE.match(style or "")
    return [f"{'#' * int(heading[1])} {text}" if heading else text]


def _rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = [cell.text.strip() for cell in row.cells]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


if __name__ == "__main__":
    serve(extract)
