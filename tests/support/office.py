"""Word documents and web pages for tests: real ones (python-docx, markup as sites
serve it) and hostile ones (a zip bomb, a page of script)."""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Sequence

import docx


def docx_file(pages: Sequence[str], *, headings: Sequence[tuple[int, str]] = ()) -> bytes:
    """A DOCX with ``headings`` (level, text) first, then a paragraph per line of
    each text (a DOCX has no pages: the texts follow one another)."""
    document = docx.Document()
    for level, text in headings:
        document.add_heading(text, level=level)
    for text in pages:
        for line in text.splitlines() or [""]:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_file(pages: Sequence[str]) -> bytes:
    """A web page with a paragraph per line of each text, inside a site's chrome."""
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>" for text in pages for line in text.splitlines()
    )
    return (
        "<!DOCTYPE html><html><head><title>Page</title><style>p { margin: 0 }</style>"
        "<script>var tracking = 'Skarven secret';</script></head><body>"
        "<nav><a href='/'>Home</a></nav><main>" + paragraphs + "</main>"
        "<footer>Copyright the site</footer></body></html>"
    ).encode()


def docx_bomb(inflated_bytes: int) -> bytes:
    """A small DOCX-shaped zip whose document part inflates to ``inflated_bytes``."""
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * inflated_bytes})


def zip_of(parts: dict[str, bytes]) -> bytes:
    """A zip of the named parts, deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()
