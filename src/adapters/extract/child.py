"""Reading a file in a child process under limits, for every extractor of a format
whose parser a hostile file could drive into unbounded memory or time.

The parent starts ``python -m <worker module> '<limits JSON>'``, writes the file to
its stdin and waits on the pipe (the event loop stays free), killing the child when
the time limit passes; the child caps its own address space and CPU time before it
reads a byte, and answers one ``WorkerResult`` as JSON on stdout.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import sys
from collections.abc import Callable

import msgspec

from chatcore.documents.model import ExtractionFailed, PageText, TextTooLong

_log = logging.getLogger("chatcore.extract")


class WorkerLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What the child process may use: pages (formats with pages), decompressed
    bytes (of a stream, or of a zip's parts), characters of text, memory, CPU."""

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


async def read_in_child(
    worker: str, content: bytes, limits: WorkerLimits, time_limit: float, kind: str
) -> list[PageText]:
    """The pages ``worker`` (a module name) reads from ``content``; raises TextTooLong,
    or ExtractionFailed naming ``kind`` ("PDF", "document") when the child fails."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        worker,
        msgspec.json.encode(limits).decode(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        output, errors = await asyncio.wait_for(process.communicate(content), time_limit)
    except TimeoutError:
        raise ExtractionFailed(f"Reading the {kind} took too long.") from None
    finally:
        if process.returncode is None:  # timed out, or we were cancelled
            process.kill()
            await process.wait()
    if process.returncode != 0:
        _log.warning(
            "The %s reader exited with %s: %s",
            kind,
            process.returncode,
            errors[-2000:].decode(errors="replace"),
        )
        raise ExtractionFailed(f"The {kind} could not be read: it is damaged or too large.")
    result = msgspec.json.decode(output, type=WorkerResult)
    if result.text_too_long:
        raise TextTooLong(limits.max_text_chars)
    if result.error is not None:
        raise ExtractionFailed(result.error)
    return [PageText(number, text) for number, text in enumerate(result.pages, start=1)]


def serve(extract: Callable[[bytes, WorkerLimits], WorkerResult]) -> None:
    """The child's main: read the limits, apply them, read the file, answer."""
    limits = msgspec.json.decode(sys.argv[1], type=WorkerLimits)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    result = extract(sys.stdin.buffer.read(), limits)
    sys.stdout.buffer.write(msgspec.json.encode(result))
