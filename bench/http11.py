"""A minimal HTTP/1.1 client on asyncio streams, for the load generator.

httpx spends more CPU per request than the servers under test do, so on a two-core
machine a load generator built on it would mostly measure itself. This one only
frames bytes: keep-alive, ``Content-Length`` and chunked bodies — no redirects,
TLS, proxies or cookies, none of which loopback load needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import NamedTuple

_READ_LIMIT = 1 << 20  # the largest header block or chunk-size line accepted


class Response(NamedTuple):
    """A whole response."""

    status: int
    headers: dict[str, str]
    body: bytes


def encode_request(
    method: str,
    path: str,
    host: str,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
) -> bytes:
    """The bytes of one keep-alive request; built once, sent as often as needed."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One keep-alive connection; one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        """Connect to ``host:port``."""
        reader, writer = await asyncio.open_connection(host, port, limit=_READ_LIMIT)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> Response:
        """Send an encoded request and read the whole response."""
        status, headers = await self.send(raw)
        body = b"".join([piece async for piece in self.body(headers)])
        return Response(status, headers, body)

    async def send(self, raw: bytes) -> tuple[int, dict[str, str]]:
        """Send an encoded request; the response's status and headers (names lower-case)."""
        self._writer.write(raw)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head[:-4].decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split(" ", 2)[1]), headers

    async def body(self, headers: dict[str, str]) -> AsyncIterator[bytes]:
        """The response body as it arrives, de-chunked."""
        reader = self._reader
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")  # no trailers are ever sent here
                    return
                piece = await reader.readexactly(size + 2)
                yield piece[:-2]
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length:
                yield await reader.readexactly(length)
        else:
            yield await reader.read()  # delimited by the end of the connection

    def close(self) -> None:
        """Hang up."""
        self._writer.close()
