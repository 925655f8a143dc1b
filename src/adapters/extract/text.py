"""A TextExtractor for plain text and Markdown, in whatever encoding they come."""

from __future__ import annotations

import asyncio
import codecs

from chatcore.documents.model import PageText

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class PlainTextExtractor:
    """The file as one page: UTF-8 (or the encoding its byte-order mark names),
    else Windows-1252, else Latin-1, which decodes anything."""

    async def extract(self, content: bytes) -> list[PageText]:
        text = await asyncio.to_thread(_decode, content)
        return [PageText(1, text.replace("\r\n", "\n").replace("\r", "\n"))]


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
