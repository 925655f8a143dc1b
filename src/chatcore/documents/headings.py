"""Headings as each chunk's context: a window of a structured document (Markdown, and
the DOCX and HTML extractors' text, which marks headings the Markdown way) is cut at
its headings, so that no chunk runs from one section into the next, and each chunk is
indexed with the path of headings it falls under: a passage deep in a section still
says what the section is about, to the keyword index and to the embedder alike."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatcore.documents.chunking import TextWindow
from chatcore.documents.model import DOCX, HTML, MARKDOWN, PageText

STRUCTURED = frozenset({MARKDOWN, DOCX, HTML})
"""The content types whose text marks headings with ``#``."""

SEPARATOR = " › "
_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*?)[ \t#]*$", re.MULTILINE)


def heading_starts(text: str) -> list[int]:
    """Where the text's headings start: each begins a section of its own."""
    return [match.start() for match in _HEADING.finditer(text)]


def with_headings(pages: Sequence[PageText], windows: Sequence[TextWindow]) -> list[str]:
    """Each window's text, after a line with the headings in force where it starts
    (those above it, not one it starts with), when there are any."""
    headings = {
        page.number: [(m.start(), len(m[1]), m[2]) for m in _HEADING.finditer(page.text)]
        for page in pages
    }
    texts: list[str] = []
    path: list[tuple[int, str]] = []  # (level, title) from the top
    page_number, seen = 0, 0
    for window in windows:
        if window.page != page_number:  # headings carry on from one page to the next
            page_number, seen = window.page, 0
        found = headings.get(window.page, [])
        while seen < len(found) and found[seen][0] < window.start:
            _, level, title = found[seen]
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            seen += 1
        context = SEPARATOR.join(title for _, title in path)
        texts.append(f"{context}\n\n{window.text}" if context else window.text)
    return texts
