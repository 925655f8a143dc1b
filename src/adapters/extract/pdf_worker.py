"""The child process of ``PypdfTextExtractor``: a PDF on stdin, its pages' text as
JSON on stdout. Run as ``python -m adapters.extract.pdf_worker '<limits JSON>'``."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pypdf
from pypdf.errors import DependencyError, LimitReachedError

from adapters.extract.child import WorkerLimits, WorkerResult, serve

DAMAGED = "The PDF is damaged and cannot be read."
TOO_LARGE = "The PDF's content is too large once decompressed."


class _TextTooLong(BaseException):
    """Raised from inside pypdf once the text passes the limit; a BaseException,
    because pypdf reads broken files leniently and swallows Exceptions on the way."""


def extract(data: bytes, limits: WorkerLimits) -> WorkerResult:
    """Every page's text, or the reason there is none."""
    caps = {
        name: limits.max_stream_bytes
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "maximum_declared_stream_length",
            "image_maximum_buffer_size",
        )
    }
    try:
        with pypdf.apply_configuration(None, **caps):
            return _read(data, limits)
    except _TextTooLong:
        return WorkerResult(text_too_long=True)
    except (LimitReachedError, MemoryError):
        return WorkerResult(error=TOO_LARGE)
    except DependencyError:
        return WorkerResult(error="The PDF is encrypted in a way that cannot be read.")
    except Exception:
        # pypdf meets broken files with all kinds of errors; to the owner they are one.
        return WorkerResult(error=DAMAGED)


def _read(data: bytes, limits: WorkerLimits) -> WorkerResult:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        return WorkerResult(error="The PDF is password-protected; upload it without a password.")
    if len(reader.pages) > limits.max_pages:
        return WorkerResult(error=f"The PDF has more than {limits.max_pages} pages.")
    pages, total = [], 0
    for page in reader.pages:
        # Decoded first, so that a capped stream raises (text extraction would
        # swallow the error and read the page as empty); the result is cached.
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
        text = page.extract_text(visitor_text=_stop_past(limits.max_text_chars - total)) or ""
        total += len(text)
        if total > limits.max_text_chars:
            return WorkerResult(text_too_long=True)
        pages.append(text)
    if not any(text.strip() for text in pages):
        return WorkerResult(error="The PDF has no text to read (a scan of images needs OCR first).")
    return WorkerResult(pages=pages)


def _stop_past(chars: int) -> Callable[..., None]:
    """A pypdf text visitor that stops the extraction once the pieces it is shown
    pass ``chars`` characters, rather than let the page's text grow on."""
    seen = 0

    def visit(text: Any, *_: Any) -> None:
        nonlocal seen
        seen += len(text)
        if seen > chars:
            raise _TextTooLong

    return visit


if __name__ == "__main__":
    serve(extract)
