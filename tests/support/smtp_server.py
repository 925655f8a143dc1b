"""A capturing SMTP server for tests: aiosmtpd on 127.0.0.1 at a port the OS picks,
served from its own thread so it answers whichever event loop (or none) the test runs.
It keeps every delivered mail parsed and can fail the next deliveries with a 451."""

from __future__ import annotations

import asyncio
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import msgspec
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
# Mails sent from a background task arrive a little after the request that caused
# them; polling the list is the simplest bridge from the server's thread.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.01
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"


class ReceivedMail(msgspec.Struct, frozen=True, kw_only=True):
    """One delivered mail: the envelope, the main headers, both bodies and the message.

    Bodies are as written by the sender: line endings back to ``\\n`` and without the
    final newline MIME adds."""

    envelope_from: str
    envelope_to: tuple[str, ...]
    to: str
    subject: str
    text: str
    html: str | None
    message: EmailMessage


class _CapturingHandler:
    """The aiosmtpd handler; called on the server thread, hence the lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mails: list[ReceivedMail] = []
        self.failures_left = 0
        self.failure_reply = TEMPORARY_FAILURE

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.failures_left:
                self.failures_left -= 1
                return self.failure_reply
            self.mails.append(_parse(envelope))
        return "250 2.0.0 OK"


def _parse(envelope: Any) -> ReceivedMail:
    message = message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return ReceivedMail(
        envelope_from=envelope.mail_from,
        envelope_to=tuple(envelope.rcpt_tos),
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text=_body(text) or "",
        html=_body(html),
        message=message,
    )


def _body(part: object) -> str | None:
    if not isinstance(part, EmailMessage):
        return None
    content: str = part.get_content()
    return content.replace("\r\n", "\n").removesuffix("\n")


class _EphemeralPortController(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0, the server must learn its real port before the base class
        # connects to it to check that it is up.
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class CapturingSmtpServer:
    """An SMTP server on loopback that records what it receives; a context manager."""

    host = HOST

    def __init__(self) -> None:
        self._handler = _CapturingHandler()
        self._controller = _EphemeralPortController(self._handler, hostname=HOST, port=0)

    def __enter__(self) -> CapturingSmtpServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        """The port the server listens on (known once started)."""
        port: int = self._controller.port
        return port

    @property
    def mails(self) -> list[ReceivedMail]:
        """Every mail received so far, oldest first."""
        with self._handler.lock:
            return list(self._handler.mails)

    def fail_next(self, count: int, reply: str = TEMPORARY_FAILURE) -> None:
        """Answer the next ``count`` deliveries with ``reply`` (a 451 unless told)."""
        with self._handler.lock:
            self._handler.failures_left = count
            self._handler.failure_reply = reply

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """Inside the block nothing listens (connections are refused); after it the
        server is back on the same port."""
        port = self.port
        self._controller.stop()
        try:
            yield
        finally:
            # A stopped controller has closed its event loop: serve from a new one.
            self._controller = _EphemeralPortController(self._handler, hostname=HOST, port=port)
            self._controller.start()

    def clear(self) -> None:
        """Forget the mails received so far."""
        with self._handler.lock:
            self._handler.mails.clear()

    async def wait_for(self, count: int = 1) -> list[ReceivedMail]:
        """The mails received, once there are at least ``count``; TimeoutError after
        ``WAIT_SECONDS``."""
        async with asyncio.timeout(WAIT_SECONDS):
            # No asyncio.Event: the server thread cannot set one on this loop.
            while len(mails := self.mails) < count:  # noqa: ASYNC110
                await asyncio.sleep(POLL_SECONDS)
        return mails

    async def mail_to(self, address: str) -> ReceivedMail:
        """The latest mail to ``address``, once one has arrived; TimeoutError after
        ``WAIT_SECONDS``."""
        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                for mail in reversed(self.mails):
                    if address in mail.envelope_to:
                        return mail
                await asyncio.sleep(POLL_SECONDS)
