"""Rules for what comes in: the file's type, decided from its first bytes, and the
client's filename, kept only as display text."""

from __future__ import annotations

import codecs
import re

from chatcore.documents.model import DOCX, HTML, MARKDOWN, PDF, PLAIN_TEXT
from chatcore.text import display_text

SNIFF_BYTES = 8192
MAX_FILENAME = 255
DEFAULT_FILENAME = "document"

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_ZIP = b"PK\x03\x04"
# A DOCX is a zip whose first parts name its content types and the word/ folder.
_WORD_PARTS = (b"[Content_Types].xml", b"word/")
_HTML = re.compile(r"\A(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html|head|body)[\s>]", re.I | re.S)
_MARKDOWN = re.compile(r"^#{1,6}\s+\S|^```|^~~~|\[[^\]\n]+\]\([^)\s]+\)", re.MULTILINE)


def sniff_content_type(head: bytes) -> str | None:
    """PDF, DOCX, HTML, Markdown or plain text judged from a file's first bytes (up to
    ``SNIFF_BYTES``), or None when it is none of them."""
    if b"%PDF-" in head[:1024]:  # readers accept a little junk before the header
        return PDF
    if head.startswith(_ZIP):
        return DOCX if all(part in head for part in _WORD_PARTS) else None
    bom = head.startswith(_BOMS)
    text = _decoded(head.removeprefix(codecs.BOM_UTF8))
    if text is not None and _HTML.match(text):
        return HTML
    if bom:
        return PLAIN_TEXT
    if text is None or any(_is_control(c) for c in text):
        return None
    return MARKDOWN if _MARKDOWN.search(text) else PLAIN_TEXT


def clean_filename(name: str | None) -> str:
    """The client's filename as safe display text: no folders, no control or
    invisible formatting characters, at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = display_text(base)
    if kept in ("", ".", ".."):
        return DEFAULT_FILENAME
    return kept[:MAX_FILENAME]


def _decoded(head: bytes) -> str | None:
    try:
        # Not final: the sample may end inside a multi-byte character.
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    try:
        return head.decode("cp1252")  # the usual legacy encoding of Western text files
    except UnicodeDecodeError:
        return None


def _is_control(char: str) -> bool:
    return (ord(char) < 32 and char not in _TEXT_CONTROLS) or char == "\x7f"
