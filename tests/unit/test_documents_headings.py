"""Headings as chunks' context: the path of headings above each window."""

from __future__ import annotations

from chatcore.documents.chunking import chunk_pages
from chatcore.documents.headings import heading_starts, with_headings
from chatcore.documents.model import PageText


def chunks(*texts: str, size: int = 60) -> list[str]:
    pages = [PageText(n, text) for n, text in enumerate(texts, start=1)]
    return with_headings(pages, chunk_pages(pages, size, 10, heading_starts))


def test_each_chunk_follows_the_path_of_headings_above_it() -> None:
    text = (
        "# Guide\n\nWelcome.\n\n## Birds\n\nPuffins nest in burrows on cliffs and slopes.\n\n"
        "### Diet\n\nSand eels.\n\n## Bees\n\nHives face south-east."
    )
    assert chunks(text) == [
        "# Guide\n\nWelcome.",
        "Guide\n\n## Birds\n\nPuffins nest in burrows on cliffs and slopes.",
        "Guide \u203a Birds\n\n### Diet\n\nSand eels.",
        # A heading of a level closes the deeper ones before it.
        "Guide\n\n## Bees\n\nHives face south-east.",
    ]


def test_a_long_section_keeps_its_headings_in_every_chunk() -> None:
    body = " ".join(f"Sentence {n} of the section." for n in range(12))
    texts = chunks(f"# Guide\n\n## Long\n\n{body}")
    assert len(texts) > 3
    assert all(t.startswith("Guide \u203a Long\n\n") for t in texts[2:])


def test_headings_carry_on_to_the_next_page_and_lines_that_only_look_like_them_do_not() -> None:
    assert chunks("## Part one\n\nText.", "More text.") == [
        "## Part one\n\nText.",
        "Part one\n\nMore text.",
    ]
    assert chunks("#hashtag and #5 are no headings.") == ["#hashtag and #5 are no headings."]
    assert chunks("No headings at all.") == ["No headings at all."]


def test_a_heading_with_no_text_of_its_own_stays_with_the_next() -> None:
    assert chunks("# Guide\n\n## Birds\n\nPuffins.\n\n## Bees\n\nHives.") == [
        "# Guide\n\n## Birds\n\nPuffins.",
        "Guide\n\n## Bees\n\nHives.",
    ]
