"""The one rule for text that people are shown (dialog titles, display names,
filenames): printable characters and plain spaces only.

Controls and format characters (Unicode categories C*: NUL, the right-to-left
override that makes "gpj.exe" display as "exe.jpg", zero-width spaces) make text
display other than it reads, or hide part of it; so do separators other than the
plain space (no-break, line and paragraph separators).
"""

from __future__ import annotations

import unicodedata


def is_display_text(text: str) -> bool:
    """Whether ``text`` shows as it reads: nothing in it is a control, a format
    character or a separator other than the plain space."""
    return text.isprintable()


def display_text(text: str) -> str:
    """``text`` made fit to show: every character that is not printable is dropped,
    except that tabs, line breaks and Unicode spaces, in runs, become one space."""
    return " ".join("".join(c for c in text if c.isprintable() or _spacing(c)).split())


def _spacing(char: str) -> bool:
    return char in "\t\n\r\v\f" or unicodedata.category(char).startswith("Z")
