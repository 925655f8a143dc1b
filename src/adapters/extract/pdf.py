"""A TextExtractor for PDF files: pypdf in a child process, under limits.

A hostile PDF (a decompression bomb, a page tree that never ends, a parser trap)
must fail its document, never the server. So pypdf runs in a child process with a
memory cap and a CPU-time cap, capped decompression and a page cap, and the parent
kills it when the time limit passes; the event loop only waits on a pipe. The child
stops reading as soon as the text passes the characters a document may have.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import msgspec

from chatcore.documents.model import ExtractionFailed, PageText, TextTooLong

_log = logging.getLogger("chatcore.extract")


class WorkerLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What the child process may use."""

    max_pages: int
    max_stream_bytes: int
    max_text_chars: int
    memory_bytes: int
    cpu_seconds: int


class WorkerResult(msgspec.Struct, frozen=True, kw_only=True):
    """What the child process answers: the pages' text, or why there is none."""

    pages: list[str] = []
    error: str | None = None
    text_too_long: bool = False


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
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters.extract.pdf_worker",
            msgspec.json.encode(limits).decode(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            output, errors = await asyncio.wait_for(process.communicate(content), self._time_limit)
        except TimeoutError:
            raise ExtractionFailed("Reading the PDF took too long.") from None
        finally:
            if process.returncode is None:  # timed out, or we were cancelled
                process.kill()
                await process.wait()
        if process.returncode != 0:
            _log.warning(
                "The PDF reader exited with %s: %s",
                process.returncode,
                errors[-2000:].decode(errors="replace"),
            )
            raise ExtractionFailed("The PDF could not be read: it is damaged or too large.")
        result = msgspec.json.decode(output, type=WorkerResult)
        if result.text_too_long:
            raise TextTooLong(max_chars)
        if result.error is not None:
            raise ExtractionFailed(result.error)
        return [PageText(number, text) for number, text in enumerate(result.pages, start=1)]
