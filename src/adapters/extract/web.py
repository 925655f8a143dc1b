"""A TextExtractor for web pages (HTML): selectolax in a child process, under limits
(``child.py``), keeping the main text and its headings (``html_worker.py``)."""

from __future__ import annotations

import msgspec

from adapters.extract.child import WorkerLimits, read_in_child
from chatcore.documents.model import PageText


class HtmlTextExtractor:
    """A web page's main text as one page, without scripts, styles or navigation;
    failures are ExtractionFailed with a plain reason."""

    def __init__(self, *, memory_bytes: int = 1024 * 1024 * 1024, time_limit: float = 60.0) -> None:
        self._limits = WorkerLimits(
            max_pages=1,
            max_stream_bytes=0,  # nothing is decompressed
            max_text_chars=0,  # each call's own
            memory_bytes=memory_bytes,
            cpu_seconds=max(1, int(time_limit)),
        )
        self._time_limit = time_limit

    async def extract(self, content: bytes, max_chars: int) -> list[PageText]:
        limits = msgspec.structs.replace(self._limits, max_text_chars=max_chars)
        return await read_in_child(
            "adapters.extract.html_worker", content, limits, self._time_limit, "web page"
        )
