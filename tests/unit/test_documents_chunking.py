"""Chunking: properties that hold for any text, and the shape of typical chunks."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from chatcore.documents.chunking import chunk_pages
from chatcore.documents.model import PageText

words = st.one_of(
    st.text(alphabet="abcdefghij", min_size=1, max_size=12),
    st.sampled_from(["end.", "why?", "wow!", "(note).", "“quoted.”", "x" * 90]),
)
separators = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", "\t"])
page_texts = st.lists(st.tuples(words, separators), max_size=150).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)
sizes = st.tuples(st.integers(20, 300), st.floats(0, 0.5)).map(lambda p: (p[0], int(p[0] * p[1])))


def pages_of(texts: list[str]) -> list[PageText]:
    return [PageText(number, text) for number, text in enumerate(texts, start=1)]


@settings(max_examples=300, deadline=None)
@given(st.lists(page_texts, min_size=1, max_size=4), sizes)
def test_chunks_cover_every_character_in_order_within_bounds(
    texts: list[str], size_overlap: tuple[int, int]
) -> None:
    size, overlap = size_overlap
    pages = pages_of(texts)
    windows = chunk_pages(pages, size, overlap)

    # Page numbers are right: each chunk is its page's text between its offsets.
    for window in windows:
        assert window.text == texts[window.page - 1][window.start : window.end]
        assert 0 < len(window.text) <= size
    # Order is kept: pages ascend, and within a page both ends strictly ascend.
    assert [w.page for w in windows] == sorted(w.page for w in windows)
    for before, after in itertools.pairwise(windows):
        if before.page == after.page:
            assert before.start < after.start and before.end < after.end
            assert (
                after.start <= before.end
                or texts[before.page - 1][before.end : after.start].isspace()
            )
    # Every non-space character of the source is in some chunk.
    for number, text in enumerate(texts, start=1):
        covered = set()
        for window in (w for w in windows if w.page == number):
            covered.update(range(window.start, window.end))
        assert {i for i, c in enumerate(text) if not c.isspace()} <= covered


@settings(max_examples=200, deadline=None)
@given(page_texts, sizes)
def test_chunks_never_split_a_word_that_fits(text: str, size_overlap: tuple[int, int]) -> None:
    size, overlap = size_overlap
    for window in chunk_pages([PageText(1, text)], size, overlap):
        for edge in (window.start, window.end):
            inside_word = 0 < edge < len(text) and not (
                text[edge - 1].isspace() or text[edge].isspace()
            )
            if inside_word:  # allowed only in a word longer than the window
                start = len(text[:edge]) - len(text[:edge].split()[-1])
                assert len(text[start:].split()[0]) > size


@given(st.lists(page_texts, max_size=3), sizes)
def test_chunking_is_deterministic(texts: list[str], size_overlap: tuple[int, int]) -> None:
    pages = pages_of(texts)
    assert chunk_pages(pages, *size_overlap) == chunk_pages(pages, *size_overlap)


def test_windows_end_at_sentences_and_overlap_by_about_fifteen_percent() -> None:
    sentence = "The quick brown fox jumps over the lazy dog near the river bank."  # 64 chars
    text = " ".join(f"{sentence[:-1]} {n}." for n in range(40))
    windows = chunk_pages([PageText(3, text)], 800, 120)

    assert len(windows) > 3
    assert all(w.page == 3 for w in windows)
    assert all(w.text.endswith(".") for w in windows)  # sentence ends
    assert all(w.text.startswith("The quick") for w in windows)  # sentence starts
    for before, after in itertools.pairwise(windows):
        overlap = before.end - after.start
        assert 0 < overlap <= 120
    assert all(600 <= len(w.text) <= 800 for w in windows[:-1])


def test_empty_and_blank_pages_have_no_chunks() -> None:
    windows = chunk_pages(pages_of(["", "   \n\n ", "Only page three has text."]))
    assert [(w.page, w.text) for w in windows] == [(3, "Only page three has text.")]


def test_sections_are_chunked_apart() -> None:
    text = "Intro words here.\n# One\nshort.\n## Two\nalso short."
    starts = [text.index("# One"), text.index("## Two")]
    windows = chunk_pages([PageText(1, text)], 800, 120, sections=lambda _: starts)
    assert [w.text for w in windows] == [
        "Intro words here.",
        "# One\nshort.",
        "## Two\nalso short.",
    ]
