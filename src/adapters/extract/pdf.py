"""A TextExtractor for PDF files: pypdf in a child process, under limits.

A hostile PDF (a decompression bomb, a page tree that never ends, a parser trap)
must fail its document, never the server. So pypdf runs in a child process with a
memory cap and a CPU-time cap, capped decompression and a page cap, and the parent
kills it when the time limit passes (``child.py``). The child stops reading as soon
as the text passes the characters a document may have.
"""

from __future__ import annotations

import msgspec

from adapters.extract.child import WorkerLimits, read_in_child
from chatcore.documents.model import PageText


class PypdfTextExtractor:
    """Every page's text of a PDF; failures are ExtractionFailed with a plain reason."""

    def __init__(
        self,
        *,
        max_pages: int = 1_000,
        max_stream_bytes: int = 64 * 1024 * 1024,
        memory_bytes: int = 1024 * 1024 * 1024,
        time_limit: float = 60.0,
    ) -> None:
        self._limits = WorkerLimits(
            max_pages=max_pages,
            max_stream_bytes=max_stream_bytes,
            max_text_chars=0,  # each call's own
            memory_bytes=memory_bytes,
            cpu_seconds=max(1, int(time_limit)),
        )
        self._time_limit = time_limit

    async def extract(self, content: bytes, max_chars: int) -> list[PageText]:
        limits = msgspec.structs.replace(self._limits, max_text_chars=max_chars)
        return await read_in_child(
            "adapters.extract.pdf_worker", content, limits, self._time_limit, "PDF"
        )
