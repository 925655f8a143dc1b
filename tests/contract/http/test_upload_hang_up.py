"""A client that hangs up in the middle of an upload, over real HTTP: a quiet
client-error line in the log, never an unhandled error with a traceback."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import pytest

from tests.contract.http.chat_support import anonymous, eventually
from tests.contract.http.conftest import ServerFactory

BOUNDARY = "hangup"


async def hang_up_mid_upload(url: str, path: str, token: str) -> None:
    """Announce a large multipart upload, send its first bytes, and close the socket."""
    address = urlsplit(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode() + b"x" * 1000
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(head) + 100_000}\r\n\r\n".encode()
        + head
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    del reader


class KeptRecords(logging.Handler):
    """Every record of the ``chatcore`` loggers while installed. The app's logging setup
    replaces the root logger's handlers, and pytest's capture with them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> KeptRecords:
        logger = logging.getLogger("chatcore")
        self._level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        logger = logging.getLogger("chatcore")
        logger.removeHandler(self)
        logger.setLevel(self._level)


@pytest.mark.parametrize("path", ["/v1/documents", "/v1/profile/avatar"])
async def test_a_client_hanging_up_mid_upload_is_a_quiet_client_error(
    make_server: ServerFactory, path: str
) -> None:
    async with make_server() as live:
        token = await anonymous(live.client)
        with KeptRecords() as kept:
            await hang_up_mid_upload(live.url, path, token)
            await eventually(lambda: any("hung up" in r.getMessage() for r in kept.records))
    errors = [r for r in kept.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
