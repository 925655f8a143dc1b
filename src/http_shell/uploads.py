"""One file field of a ``multipart/form-data`` body, read as it arrives, and how
OpenAPI shows such a body.

The body is never buffered whole: the parser is fed piece by piece and the file's
bytes are handed on as soon as they are parsed, so the use case can enforce the
size limit while the upload is still coming in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from chatcore.errors import FileTooLarge, InvalidInput, UnsupportedMediaType

MULTIPART_OVERHEAD = 64 * 1024  # part headers, boundaries, other small fields


class _FileField:
    """Callbacks of the push parser, keeping the named field's bytes."""

    def __init__(self, field: str) -> None:
        self.field = field.encode()
        self.found = False  # the field's headers are parsed
        self.done = False  # the field's data has ended
        self.filename: str | None = None
        self.pending: deque[bytes] = deque()
        self._inside = False
        self._headers: dict[bytes, bytes] = {}
        self._name = self._value = b""

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._inside = {}, False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._name.strip().lower()] = self._value.strip()
        self._name = self._value = b""

    def _headers_finished(self) -> None:
        disposition = self._headers.get(b"content-disposition", b"").decode("latin-1")
        _, options = parse_options_header(disposition)
        if options.get(b"name") == self.field and not self.found:
            self.found = self._inside = True
            raw = options.get(b"filename")
            self.filename = raw.decode("utf-8", errors="replace") if raw is not None else None

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._inside:
            self.pending.append(bytes(data[start:end]))

    def _part_end(self) -> None:
        if self._inside:
            self._inside, self.done = False, True


async def multipart_file(
    request: Request[Any, Any, Any], field: str, max_bytes: int
) -> tuple[str | None, AsyncIterator[bytes]]:
    """The client's filename and the content of the file field ``field``; raises
    UnsupportedMediaType (not multipart), InvalidInput (no such field, or a broken
    body) or FileTooLarge (the body is larger than ``max_bytes`` and some overhead)."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType(f"Send the file as multipart/form-data, field '{field}'.")
    limit = max_bytes + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise FileTooLarge(f"Files may be at most {max_bytes / (1024 * 1024):g} MB.")
    state = _FileField(field)
    parser = MultipartParser(boundary, state.callbacks())
    body = request.stream()
    received = 0

    async def feed() -> None:
        nonlocal received
        piece = await anext(body, b"")
        if not piece:
            raise InvalidInput(field, "is required" if not state.found else "ended early")
        received += len(piece)
        if received > limit:
            raise FileTooLarge(f"Files may be at most {max_bytes / (1024 * 1024):g} MB.")
        try:
            parser.write(piece)
        except MultipartParseError as exc:
            raise InvalidInput(field, "the multipart body is malformed") from exc

    async def content() -> AsyncIterator[bytes]:
        while True:
            while state.pending:
                yield state.pending.popleft()
            if state.done:
                return
            await feed()

    while not state.found:
        await feed()
    return state.filename, content()
