"""A TextExtractor for plain text and Markdown, in whatever encoding they come."""

from __future__ import annotations

import asyncio
import codecs

from chatcore.documents.model import PageText, TextTooLong

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAX_BYTES_PER_CHAR = 4


class PlainTextExtractor:
    """The file as one page: UTF-8 (or the encoding its byte-order mark names),
    else Windows-1252, else Latin-1, which decodes anything."""

    async def extract(self, content: bytes, max_chars: int) -> list[PageText]:
        # Every encoding read here takes at most four bytes a character (a CRLF line
        # break included): a file longer than that has too much text undecoded.
        if len(content) > _MAX_BYTES_PER_CHAR * max_chars:
            raise TextTooLong(max_chars)
        text = await asyncio.to_thread(_decode, content)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > max_chars:
            raise TextTooLong(max_chars)
        return [PageText(1, text)]


def _decode(content: bytes) -> str:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content.decode(encoding, errors="replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")
