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

SEPARATOR = " \u203a "  # a single right-pointing angle quotation mark
_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*?)[ \t#]*$", re.MULTILINE)


def heading_starts(text: str) -> list[int]:
    """Where the text's sections start: at each heading, but for one that follows a
    heading with no text of its own (a title, then its first section's heading)."""
    starts: list[int] = []
    previous_end = None
    for match in _HEADING.finditer(text):
        if previous_end is None or text[previous_end : match.start()].strip():
            starts.append(match.start())
        previous_end = match.end()
    return starts


def with_headings(pages: Sequence[PageText], windows: Sequence[TextWindow]) -> list[str]:
    """Each window's text, after a line with the headings in force where it starts
    (those above it; for a window that starts with a heading, those above that
    heading), when there are any."""
    headings = {
        page.number: [(m.start(), len(m[1]), m[2]) for m in _HEADING.finditer(page.text)]
        for page in pages
    }
    texts: list[str] = []
    path: list[tuple[int, str]] = []  # (level, title) from the top
    page_number, seen = 0, 0

    def follow(heading: tuple[int, int, str]) -> None:
        nonlocal path
        _, level, title = heading
        path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]

    for window in windows:
        if window.page != page_number:  # headings carry on from one page to the next
            for heading in headings.get(page_number, [])[seen:]:
                follow(heading)
            page_number, seen = window.page, 0
        found = headings.get(window.page, [])
        while seen < len(found) and found[seen][0] < window.start:
            follow(found[seen])
            seen += 1
        above = path
        if seen < len(found) and found[seen][0] == window.start:  # it starts a section
            above = [(lvl, t) for lvl, t in path if lvl < found[seen][1]]
        context = SEPARATOR.join(title for _, title in above)
        texts.append(f"{context}\n\n{window.text}" if context else window.text)
    return texts
