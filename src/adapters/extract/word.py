"""A TextExtractor for Word documents (DOCX): python-docx in a child process, under
limits (``child.py``), with headings kept as structure (``docx_worker.py``)."""

from __future__ import annotations

import msgspec

from adapters.extract.child import WorkerLimits, read_in_child
from chatcore.documents.model import PageText


class DocxTextExtractor:
    """A DOCX's paragraphs, tables and headings as one page; failures (not a Word
    document, a zip bomb, damaged) are ExtractionFailed with a plain reason."""

    def __init__(
        self,
        *,
        max_unzipped_bytes: int = 256 * 1024 * 1024,
        memory_bytes: int = 1024 * 1024 * 1024,
        time_limit: float = 60.0,
    ) -> None:
        self._limits = WorkerLimits(
            max_pages=1,
            max_stream_bytes=max_unzipped_bytes,
            max_text_chars=0,  # each call's own
            memory_bytes=memory_bytes,
            cpu_seconds=max(1, int(time_limit)),
        )
        self._time_limit = time_limit

    async def extract(self, content: bytes, max_chars: int) -> list[PageText]:
        limits = msgspec.structs.replace(self._limits, max_text_chars=max_chars)
        return await read_in_child(
            "adapters.extract.docx_worker", content, limits, self._time_limit, "Word document"
        )
