"""Deterministic, sentence-aware chunking of a document's pages.

A page's text is cut into overlapping windows of whole words. A window grows word
by word up to ``size`` characters and, when more text follows, ends at the last
sentence end in its second half, if there is one. The next window starts at the
first word of the last ``overlap`` characters (at a sentence start there, if there
is one), so a sentence cut at a window's end is whole in the next. Windows never
span pages, so each knows its page, nor the sections a caller marks (a structured
document's headings). A word longer than ``size`` (a URL, a table
flattened into one token) is the only thing ever cut inside.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence

import msgspec

from chatcore.documents.model import PageText

DEFAULT_SIZE = 800
DEFAULT_OVERLAP = 120  # 15%

_WORD = re.compile(r"\S+")
# Sentence ends (also … and the CJK full stops), then any closing quotes or brackets.
_SENTENCE_END = re.compile("[.!?\u2026\u3002\uff01\uff1f][\"'\u201d\u2019)\\]\u00bb]*$")


class TextWindow(msgspec.Struct, frozen=True):
    """A chunk's text: ``page``'s text from ``start`` to ``end``."""

    page: int
    start: int
    end: int
    text: str


Sections = Callable[[str], Sequence[int]]
"""Where a page's sections start (offsets into its text): no window spans two."""


def chunk_pages(
    pages: Sequence[PageText],
    size: int = DEFAULT_SIZE,
    overlap: int = DEFAULT_OVERLAP,
    sections: Sections | None = None,
) -> list[TextWindow]:
    """Every page's windows, in page order."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError("size must be positive and overlap smaller than it")
    windows: list[TextWindow] = []
    for page in pages:
        starts = sorted({0, *sections(page.text)}) if sections else [0]
        for start, end in itertools.pairwise([*starts, len(page.text)]):
            windows.extend(_chunk_section(page, start, end, size, overlap))
    return windows


def _chunk_section(
    page: PageText, begin: int, finish: int, size: int, overlap: int
) -> list[TextWindow]:
    text = page.text
    words = _words(text, begin, finish, size)
    starts = [start for start, _ in words]
    windows: list[TextWindow] = []
    first, reached = 0, 0  # the window's first word; words before ``reached`` are chunked
    while first < len(words):
        stop = _stop(text, words, first, max(reached, first + 1), size)
        start, end = words[first][0], words[stop - 1][1]
        windows.append(TextWindow(page.number, start, end, text[start:end]))
        if stop == len(words):
            break
        following = _overlap_start(text, words, starts, first, stop, overlap)
        # The next window must reach past this one; if the next word is too long to
        # fit beside the overlap, it starts without one.
        if words[stop][1] - words[following][0] > size:
            following = stop
        first, reached = following, stop + 1
    return windows


def _stop(text: str, words: list[tuple[int, int]], first: int, least: int, size: int) -> int:
    """One past the window's last word: as many words as fit, cut back to the last
    sentence end in the window's second half when more text follows."""
    begin = words[first][0]
    stop = least
    while stop < len(words) and words[stop][1] - begin <= size:
        stop += 1
    if stop == len(words):
        return stop
    for candidate in range(stop, least - 1, -1):
        if words[candidate - 1][1] - begin < size // 2:
            break
        if _ends_sentence(text, words, candidate - 1):
            return candidate
    return stop


def _overlap_start(
    text: str,
    words: list[tuple[int, int]],
    starts: list[int],
    first: int,
    stop: int,
    overlap: int,
) -> int:
    """The first word of the window's last ``overlap`` characters, moved on to a
    sentence start among them if there is one; ``stop`` when none fits."""
    boundary = words[stop - 1][1] - overlap
    candidate = max(first + 1, bisect.bisect_left(starts, boundary, first, stop))
    for index in range(candidate, stop):
        if _ends_sentence(text, words, index - 1):
            return index
    return candidate


def _ends_sentence(text: str, words: list[tuple[int, int]], index: int) -> bool:
    start, end = words[index]
    if _SENTENCE_END.search(text, start, end):
        return True
    following = words[index + 1][0] if index + 1 < len(words) else len(text)
    return text.count("\n", end, following) >= 2  # a paragraph ends


def _words(text: str, begin: int, finish: int, size: int) -> list[tuple[int, int]]:
    """The spans of the words of ``text[begin:finish]``, those longer than ``size`` cut
    into pieces."""
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text, begin, finish):
        start, end = match.span()
        spans.extend((cut, min(cut + size, end)) for cut in range(start, end, size))
    return spans
